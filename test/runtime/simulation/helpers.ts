import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator, type SimulatorOptions } from 'sfgen/simulator';

export const TINY_ORG = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tiny-org');

export async function startTiny(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startSimulator({ metadataDir: TINY_ORG, ...options });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** fetch against the simulator with the given token; parses JSON when there is a body. */
export async function call(
  sim: Simulator,
  token: string | undefined,
  method: string,
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  if (body !== undefined && typeof body !== 'string') h['Content-Type'] = 'application/json';
  const res = await fetch(sim.url + urlPath, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const V = '/services/data/v60.0';
