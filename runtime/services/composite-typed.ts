/**
 * Sends typed {@link CompositePlan}s: `/composite` with one plan, `/composite/graph` with plans by
 * graph id. Kept apart from `composite.ts` (the untyped resources, which plans import for their
 * wire types) and `composite-plan.ts` (the plan builder) so that neither imports the other back.
 */
import { ProtocolError, UsageError, safePath } from '../errors.js';
import { composite, compositeGraph } from './composite.js';
import { CompositePlan, type GraphPlan, type TypedCompositeResult, type TypedGraphResult, type TypedGraphResults } from './composite-plan.js';
import { apiPath, type RestContext } from './rest.js';

/**
 * Sends a typed {@link CompositePlan} to `/composite` and types every answer by its subrequest.
 * Reference ids and `@{...}` references are checked before anything is sent.
 */
export async function compositeOfPlan<Results extends object>(
  context: RestContext,
  plan: CompositePlan<Results>,
  options: { allOrNone?: boolean; collateSubrequests?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<TypedCompositeResult<Results>> {
  const raw = await composite(context, plan.subrequests, options);
  return CompositePlan.toResult(plan, raw, { method: 'POST', path: safePath(apiPath(context, 'composite')) }, context.apiVersion);
}

/**
 * Sends typed plans as graphs of `/composite/graph` (`{ graphId: plan }`); each graph is
 * all-or-nothing and its answers are typed like {@link compositeOfPlan}'s.
 */
export async function compositeGraphOfPlans<G extends Readonly<Record<string, GraphPlan>>>(
  context: RestContext,
  graphs: G,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<TypedGraphResults<G>> {
  const ids = Object.keys(graphs);
  for (const id of ids) {
    if (!/^[A-Za-z0-9_]+$/.test(id)) throw new UsageError({ message: `compositeGraph: graphId ${JSON.stringify(id)} must be letters, digits and _` });
    if (!((graphs[id] as unknown) instanceof CompositePlan)) throw new UsageError({ message: `compositeGraph: graph ${id} is not a compositePlan()` });
  }
  const raw = await compositeGraph(context, ids.map((graphId) => ({ graphId, compositeRequest: (graphs[graphId] as GraphPlan).subrequests })), options);
  const path = safePath(apiPath(context, 'composite/graph'));
  const out = Object.create(null) as Record<string, TypedGraphResult<object>>;
  for (const g of raw) {
    const plan = graphs[g.graphId] as CompositePlan<object> | undefined;
    if (plan === undefined) throw new ProtocolError({ message: `compositeGraph: answer for unknown graph ${g.graphId}`, request: { method: 'POST', path } });
    out[g.graphId] = { graphId: g.graphId, isSuccessful: g.isSuccessful, graphResponse: CompositePlan.toResult(plan, g.graphResponse, { method: 'POST', path: `${path} [graph ${g.graphId}]` }, context.apiVersion) };
  }
  for (const id of ids) {
    if (out[id] === undefined) throw new ProtocolError({ message: `compositeGraph: no answer for graph ${id}`, request: { method: 'POST', path } });
  }
  return out as TypedGraphResults<G>;
}
