/**
 * Render the SDK client's types (packages/sdk/src/client/api-types.ts) from the OpenAPI document, so the
 * client's request and response types follow the server's zod schemas (STYLE.md habit 6).
 *
 * A small generator rather than openapi-typescript: the schemas use a narrow subset of JSON Schema, and
 * this one is dependency-free, deterministic, and throws on any keyword it does not understand, so a new
 * construct in the schemas fails `npm run docs` instead of silently becoming a wrong type.
 */
type Schema = Record<string, unknown>;
type Operation = {
  summary?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Doc = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Keywords that only constrain or describe a value: they change no TypeScript type. */
const ANNOTATIONS = new Set([
  'description',
  'title',
  'example',
  'examples',
  'default',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'readOnly',
  'writeOnly',
  'deprecated',
  'discriminator',
  '$schema',
]);
/** Keywords this generator turns into types. */
const SHAPES = new Set([
  '$ref',
  'type',
  'nullable',
  'enum',
  'const',
  'allOf',
  'anyOf',
  'oneOf',
  'properties',
  'required',
  'additionalProperties',
  'items',
]);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** A single-quoted TypeScript string literal. */
const quoted = (text: string) =>
  `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
const key = (name: string) => (IDENTIFIER.test(name) ? name : quoted(name));
/** A literal type for an `enum` or `const` value. */
const literal = (value: unknown) => (typeof value === 'string' ? quoted(value) : JSON.stringify(value));
/** True when `type` has a `|` or `&` outside any braces, brackets or quotes. */
function hasTopLevelOperator(type: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < type.length; i++) {
    const ch = type[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('{([<'.includes(ch)) depth++;
    else if ('})]>'.includes(ch)) depth--;
    else if (depth === 0 && (ch === '|' || ch === '&')) return true;
  }
  return false;
}
/** Wrap a union or intersection so it can be followed by `[]` or joined into an intersection. */
const group = (type: string) => (hasTopLevelOperator(type) ? `(${type})` : type);

function refName(ref: string): string {
  const match = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  if (!match) throw new Error(`client types: unsupported $ref ${ref}`);
  return `components['schemas']['${match[1]}']`;
}

function objectType(schema: Schema, pad: string): string {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const lines = Object.entries(properties).map(
    ([name, prop]) => `${pad}  ${key(name)}${required.has(name) ? '' : '?'}: ${tsType(prop, `${pad}  `)};`,
  );
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) {
    const value = extra === true ? 'unknown' : tsType(extra as Schema, `${pad}  `);
    // An index signature must admit every named property's type as well.
    lines.push(`${pad}  [key: string]: ${lines.length > 0 ? 'unknown' : value};`);
  } else if (lines.length === 0) {
    return extra === false ? 'Record<string, never>' : 'Record<string, unknown>';
  }
  return `{\n${lines.join('\n')}\n${pad}}`;
}

/** The TypeScript type of one JSON Schema (OpenAPI 3.1 flavour), indented by `pad`. */
export function tsType(schema: Schema, pad = ''): string {
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !SHAPES.has(keyword) && !keyword.startsWith('x-'))
      throw new Error(`client types: unsupported JSON Schema keyword "${keyword}"`);
  }
  const nullable = schema.nullable === true ? ' | null' : '';
  if (typeof schema.$ref === 'string') return refName(schema.$ref) + nullable;
  if (Array.isArray(schema.allOf))
    return (schema.allOf as Schema[]).map((s) => group(tsType(s, pad))).join(' & ') + nullable;
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(union)) return union.map((s) => tsType(s, pad)).join(' | ') + nullable;
  if ('const' in schema) return literal(schema.const) + nullable;
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ') + nullable;
  if (Array.isArray(schema.type)) {
    return (schema.type as string[]).map((type) => tsType({ ...schema, type }, pad)).join(' | ') + nullable;
  }
  switch (schema.type) {
    case 'string':
      return `string${nullable}`;
    case 'number':
    case 'integer':
      return `number${nullable}`;
    case 'boolean':
      return `boolean${nullable}`;
    case 'null':
      return 'null';
    case 'array':
      return `${group(schema.items ? tsType(schema.items as Schema, pad) : 'unknown')}[]${nullable}`;
    case 'object':
      return objectType(schema, pad) + nullable;
    case undefined:
      return schema.properties || schema.additionalProperties !== undefined
        ? objectType(schema, pad) + nullable
        : 'unknown';
    default:
      throw new Error(`client types: unsupported type ${JSON.stringify(schema.type)}`);
  }
}

function jsonSchemaOf(content: Record<string, { schema?: Schema }> | undefined): Schema | undefined {
  if (!content) return undefined;
  const json = Object.entries(content).find(([type]) => /json/.test(type));
  return json?.[1].schema ?? {};
}

function operationType(op: Operation, pad: string): string[] {
  const query = (op.parameters ?? []).filter((p) => p.in === 'query');
  const queryType =
    query.length === 0
      ? 'Record<string, never>'
      : `{\n${query
          .map(
            (p) => `${pad}  ${key(p.name)}${p.required ? '' : '?'}: ${tsType(p.schema ?? {}, `${pad}  `)};`,
          )
          .join('\n')}\n${pad}}`;
  const bodySchema = jsonSchemaOf(op.requestBody?.content);
  const body = bodySchema ? tsType(bodySchema, pad) : 'undefined';
  const responses = Object.entries(op.responses ?? {})
    .filter(([status]) => /^2\d\d$/.test(status))
    .map(([status, response]) => {
      const schema = jsonSchemaOf(response.content);
      return `${pad}  ${status}: ${schema ? tsType(schema, `${pad}  `) : 'undefined'};`;
    });
  return [
    `${pad}query: ${queryType};`,
    `${pad}body: ${op.requestBody?.required === false ? `${body} | undefined` : body};`,
    `${pad}responses: {`,
    ...responses,
    `${pad}};`,
  ];
}

/** The whole generated module: `components` (the named schemas) and `paths` (every route by path and method). */
export function renderClientTypes(doc: Doc): string {
  const out = [
    "// Generated from the server's schemas (docs/openapi.json) by `npm run docs`; do not edit by hand.",
    '// packages/hookline/test/client-types.test.ts fails when this file is stale.',
    '',
    '/** The named schemas of the API (`components.schemas` in docs/openapi.json). */',
    'export interface components {',
    '  schemas: {',
  ];
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {}))
    out.push(`    ${key(name)}: ${tsType(schema, '    ')};`);
  out.push(
    '  };',
    '}',
    '',
    '/**',
    ' * Every route of the API by path and lower-case method: its query parameters, its JSON request body',
    ' * (`undefined` when it takes none) and its JSON answer by 2xx status (`undefined` when it has none).',
    ' */',
    'export interface paths {',
  );
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    out.push(`  ${key(path)}: {`);
    for (const method of METHODS) {
      const op = methods[method];
      if (!op) continue;
      if (op.summary) out.push(`    /** ${op.summary.replace(/\*\//g, '*\\/')} */`);
      out.push(`    ${method}: {`, ...operationType(op, '      '), '    };');
    }
    out.push('  };');
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
