import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderClientTypes, tsType } from '../src/api/client-types.js';
import { CLIENT_TYPES_FILE, currentOpenApi } from '../src/cli/gen-docs.js';

describe('SDK client types', () => {
  it('packages/sdk/src/client/api-types.ts matches the schemas (run `npm run docs` after changing them)', () => {
    const committed = readFileSync(CLIENT_TYPES_FILE, 'utf8');
    assert.equal(committed, renderClientTypes(currentOpenApi() as never));
  });

  it('describes every route of the OpenAPI document with its query, body and 2xx answers', () => {
    const generated = renderClientTypes(currentOpenApi() as never);
    for (const [path, methods] of Object.entries(currentOpenApi().paths ?? {})) {
      const start = generated.indexOf(`\n  '${path}': {\n`);
      assert.ok(start >= 0, path);
      const block = generated.slice(start, generated.indexOf('\n  };\n', start));
      for (const method of Object.keys(methods ?? {}))
        assert.ok(block.includes(`\n    ${method}: {\n      query: `), `${method} ${path}`);
    }
  });
});

describe('the type generator', () => {
  it('renders the JSON Schema shapes zod produces', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'string', format: 'date-time', example: 'x' }, 'string'],
      [{ type: ['string', 'null'], pattern: '^a$' }, 'string | null'],
      [{ type: 'integer', minimum: 1 }, 'number'],
      [{ type: 'string', nullable: true }, 'string | null'],
      [{ type: 'string', enum: ['succeeded', "it's"] }, "'succeeded' | 'it\\'s'"],
      [{ const: 'v1' }, "'v1'"],
      [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, 'string | number'],
      [
        { oneOf: [{ $ref: '#/components/schemas/A' }, { type: 'null' }] },
        "components['schemas']['A'] | null",
      ],
      [{ type: 'array', items: { type: ['string', 'null'] } }, '(string | null)[]'],
      [
        { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
        '{\n  a?: string;\n}[]',
      ],
      [{ type: 'object' }, 'Record<string, unknown>'],
      [{ type: 'object', additionalProperties: false }, 'Record<string, never>'],
      [{ type: 'object', additionalProperties: {} }, '{\n  [key: string]: unknown;\n}'],
      [{ type: 'object', additionalProperties: { type: 'number' } }, '{\n  [key: string]: number;\n}'],
      [
        {
          type: 'object',
          properties: { 'x-id': { type: 'string' }, n: { type: 'number' } },
          required: ['n'],
          additionalProperties: { type: 'number' },
        },
        "{\n  'x-id'?: string;\n  n: number;\n  [key: string]: unknown;\n}",
      ],
      [
        { allOf: [{ $ref: '#/components/schemas/A' }, { anyOf: [{ type: 'string' }, { type: 'number' }] }] },
        "components['schemas']['A'] & (string | number)",
      ],
      [{ description: 'anything' }, 'unknown'],
    ];
    for (const [schema, expected] of cases) assert.equal(tsType(schema), expected, JSON.stringify(schema));
  });

  it('fails loudly on a construct it cannot type, rather than typing it wrong', () => {
    assert.throws(() => tsType({ not: { type: 'string' } }), /unsupported JSON Schema keyword "not"/);
    assert.throws(
      () => tsType({ type: 'array', prefixItems: [] }),
      /unsupported JSON Schema keyword "prefixItems"/,
    );
    assert.throws(() => tsType({ $ref: 'https://elsewhere/schema.json' }), /unsupported \$ref/);
    assert.throws(() => tsType({ type: 'tuple' }), /unsupported type "tuple"/);
  });

  it('renders a route with query, optional body and a 204 without content', () => {
    const text = renderClientTypes({
      paths: {
        '/v1/things/{id}': {
          post: {
            summary: 'Poke a thing */ now',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'force', in: 'query', required: true, schema: { type: 'boolean' } },
            ],
            requestBody: {
              required: false,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Poke' } } },
            },
            responses: { 204: { description: 'Done' }, default: { description: 'Error' } } as never,
          },
        },
      },
      components: { schemas: { Poke: { type: 'object', properties: { hard: { type: 'boolean' } } } } },
    });
    assert.ok(text.includes('    Poke: {\n      hard?: boolean;\n    };\n'), text);
    assert.ok(
      text.includes(
        [
          "  '/v1/things/{id}': {",
          '    /** Poke a thing *\\/ now */',
          '    post: {',
          '      query: {',
          '        force: boolean;',
          '      };',
          "      body: components['schemas']['Poke'] | undefined;",
          '      responses: {',
          '        204: undefined;',
          '      };',
          '    };',
          '  };',
        ].join('\n'),
      ),
      text,
    );
  });
});
