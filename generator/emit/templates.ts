/**
 * Handlebars file skeletons from `templates/` (banner, imports, sections). Templates hold no
 * logic: every type expression and import list is computed by the emitters and passed in as text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Handlebars from 'handlebars';
import { EmitError } from './errors.js';

/** The templates generated files are rendered from. */
export type TemplateName = 'types-module' | 'sobject-module' | 'index-module' | 'event-module';

/** Finds `templates/` from this module (source tree: two levels up; built `dist/`: three). */
function templatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '../../templates'), path.resolve(here, '../../../templates')]) {
    if (existsSync(path.join(candidate, 'banner.hbs'))) return candidate;
  }
  throw new EmitError(`Cannot find the templates directory (looked next to ${here})`, 'templates');
}

/** A compiled set of templates, isolated from the global Handlebars instance. */
export class Templates {
  private readonly hbs = Handlebars.create();
  private readonly compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();

  constructor(private readonly dir = templatesDir()) {
    this.hbs.registerPartial('banner', this.read('banner'));
  }

  private read(name: string): string {
    const file = path.join(this.dir, `${name}.hbs`);
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new EmitError(`Cannot read template ${file}: ${(error as Error).message}`, file);
    }
  }

  /** Renders a template; the output ends with exactly one newline. */
  render(name: TemplateName, data: Readonly<Record<string, unknown>>): string {
    let template = this.compiled.get(name);
    if (!template) {
      template = this.hbs.compile(this.read(name), { noEscape: true, strict: true });
      this.compiled.set(name, template);
    }
    return `${template(data).replace(/\n+$/, '')}\n`;
  }
}
