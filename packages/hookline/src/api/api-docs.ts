/** Render docs/api.md from the OpenAPI document, so the reference cannot drift from the schemas. */
type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  description?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  nullable?: boolean;
  anyOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
};
type Operation = {
  summary?: string;
  security?: unknown[];
  'x-hookline-access'?: 'admin' | 'app' | 'public';
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
};
type Doc = {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

function typeOf(schema: Schema | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop()!;
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `${typeOf(schema.items)}[]`;
  const base = Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'object');
  return schema.enum ? schema.enum.map((e) => JSON.stringify(e)).join(' \\| ') : base;
}

function constraints(schema: Schema): string {
  const parts: string[] = [];
  if (schema.pattern) parts.push(`pattern \`${schema.pattern}\``);
  if (schema.format) parts.push(schema.format);
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) parts.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`length ≤ ${schema.maxLength}`);
  return parts.join(', ');
}

/**
 * A schema's own fields, with those of the schemas it extends (`allOf`, as zod's `.extend` is written:
 * a `$ref` to the base and the added fields) merged in, in order.
 */
function fieldsOf(schema: Schema, components: Record<string, Schema>): Schema {
  if (schema.$ref) return fieldsOf(components[schema.$ref.split('/').pop()!] ?? {}, components);
  if (!schema.allOf) return schema;
  const parts = schema.allOf.map((part) => fieldsOf(part, components));
  return {
    ...schema,
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), schema.properties ?? {}),
    required: [...parts.flatMap((p) => p.required ?? []), ...(schema.required ?? [])],
  };
}

function schemaTable(name: string, given: Schema, components: Record<string, Schema>): string[] {
  const schema = fieldsOf(given, components);
  const lines = [`### ${name}`, '', '| field | type | required | notes |', '| --- | --- | --- | --- |'];
  for (const [field, prop] of Object.entries(schema.properties ?? {})) {
    const required = schema.required?.includes(field) ? 'yes' : '';
    const notes = [constraints(prop), prop.description?.replaceAll('|', '\\|')].filter(Boolean).join('; ');
    lines.push(`| \`${field}\` | ${typeOf(prop)} | ${required} | ${notes} |`);
  }
  return [...lines, ''];
}

export function renderApiDocs(doc: Doc): string {
  const out = [
    '# API reference',
    '',
    `Generated from \`/openapi.json\` (hookline ${doc.info.version}) by \`npm run docs\`; do not edit by hand.`,
    'JSON in and out, camelCase, `Authorization: Bearer <token>` unless marked public. Errors are',
    'problem+json with a stable `code`: see [errors.md](errors.md). Lists take `limit` (1..250, default 50)',
    'and `iterator`, and answer `{data, iterator, done}`, newest first.',
    '',
    '**Who** may call a route: *admin* = the admin token only (an app-scoped token gets 403); *app* = the',
    "admin, or an app-scoped token of that `{app}` (another app's ids answer 404) or, on routes without",
    '`{app}`, any valid token; *public* = no token.',
    '',
    '## Routes',
    '',
    '| method | path | summary | who | query | body | success |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody ? typeOf(Object.values(op.requestBody.content)[0]?.schema) : '';
      const success = Object.entries(op.responses)
        .filter(([status]) => status !== 'default')
        .map(([status, r]) => {
          const schema = r.content ? Object.values(r.content)[0]?.schema : undefined;
          return `${status}${schema ? ` ${typeOf(schema)}` : ''}`;
        })
        .join(', ');
      const who = op['x-hookline-access'] ?? (op.security && op.security.length === 0 ? 'public' : '');
      const query = (op.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => `\`${p.name}\``)
        .join(' ');
      const cells = [method.toUpperCase(), `\`${path}\``, op.summary ?? '', who, query, body, success];
      out.push(`| ${cells.join(' | ')} |`);
    }
  }
  out.push('', '## Schemas', '');
  const components = doc.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(components)) out.push(...schemaTable(name, schema, components));
  return `${out.join('\n').trimEnd()}\n`;
}
