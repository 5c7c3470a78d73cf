import SwaggerParser from '@apidevtools/swagger-parser'
import { describe, expect, it } from 'vitest'
import { INGESTER_OPENAPI, openApiDocument, operationIdOf } from './openapi'

/** The OpenAPI document as tools read it: an OpenAPI validator that resolves every reference. */
describe('/openapi.json', () => {
  const documents = {
    collector: openApiDocument(),
    // the ingester's: the admin API, /healthz, /readyz and /metrics
    ingester: openApiDocument(INGESTER_OPENAPI),
  }

  it.each(Object.entries(documents))(
    'is valid OpenAPI 3.1, every reference resolved (%s)',
    async (_, doc) => {
      // the validator works on its own copy; a reference it cannot resolve, or a schema it cannot read, throws
      await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy()
    },
  )

  it("gives the tracking plan's self-referring rule a name of its own, where a client generator finds it", () => {
    const text = JSON.stringify(documents.collector)
    expect(text).not.toContain('#/$defs/')
    expect(text).toContain('"$ref":"#/components/schemas/TrackingPlanPropertyRule"')
  })

  it('names every operation once, as a generated client calls it', () => {
    const ids = Object.values(
      documents.collector.paths as Record<string, Record<string, { operationId: string }>>,
    )
      .flatMap((operations) => Object.values(operations))
      .map((o) => o.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(['track', 'batch', 'sql', 'reportsTimeOfDay', 'emailClick']))
    expect(operationIdOf('head', '/e/c/{project}/{token}')).toBe('headEmailClick')
    expect(operationIdOf('post', '/api/funnel/people')).toBe('funnelPeople')
  })

  it('lets a single call leave out the type its path gives, and requires what the route requires', () => {
    const body = (path: string) =>
      JSON.parse(JSON.stringify(documents.collector.paths))[path].post.requestBody.content['application/json']
        .schema
    expect(body('/v1/track').required).toEqual(['event'])
    expect(body('/v1/identify').required ?? []).not.toContain('type')
  })

  it('says what checks in code take: date-time timestamps, JSON objects for properties, calendar days', () => {
    const body = (path: string) =>
      JSON.parse(JSON.stringify(documents.collector.paths))[path].post.requestBody.content['application/json']
        .schema
    const track = body('/v1/track').properties
    expect(track.timestamp).toMatchObject({ type: 'string', format: 'date-time' })
    expect(track.properties).toMatchObject({ type: 'object', maxProperties: 256 })
    expect(track.context.properties.traits).toMatchObject({ type: 'object' })
    expect(body('/api/ad-spend').properties.rows.items.properties.day).toMatchObject({ format: 'date' })
  })

  it('takes no Date where JSON carries none: a date field is a date or date-time string', () => {
    const overview = (documents.collector.paths as Record<string, Record<string, unknown>>)[
      '/api/reports/overview'
    ]
    const from = JSON.parse(JSON.stringify(overview)).post.requestBody.content['application/json'].schema
      .properties.from
    expect(from.anyOf.map((s: { format: string }) => s.format).sort()).toEqual(['date', 'date-time'])
  })
})
