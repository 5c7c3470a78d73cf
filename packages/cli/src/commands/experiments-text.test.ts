import type { ExperimentResult, VariantFigures } from '@touchpoint/analytics'
import { compareMeans, compareRates } from '@touchpoint/analytics'
import { describe, expect, it } from 'vitest'
import { experimentText } from './experiments-text'

const variant = (name: string, people: number, converted: number, perPerson: number): VariantFigures => ({
  variant: name,
  people,
  converted,
  conversionRate: converted / people,
  conversions: converted,
  revenue: perPerson * people,
  revenuePerPerson: perPerson,
  vsControl: null,
})
const result = (variants: VariantFigures[], control: string): ExperimentResult => ({
  experiment: 'pay-button',
  control,
  windowSeconds: 14 * 86_400,
  netOfRefunds: false,
  variants,
  mixed: 0,
  currencies: ['EUR'],
  planned: { uplift: 0.1, peoplePerVariant: 14_749 },
})

describe('experimentText', () => {
  it('gives each difference its interval, and none where too few people were shown a variant for one', () => {
    const b = variant('b', 1, 1, 144)
    b.vsControl = {
      conversionRate: { ...compareRates({ n: 400, x: 40 }, { n: 1, x: 1 }), uplift: 9 },
      revenuePerPerson: {
        ...compareMeans({ n: 400, mean: 14.4, variance: 100 }, { n: 1, mean: 144, variance: 0 }),
        uplift: 9,
      },
    }
    const text = experimentText(result([variant('control', 400, 40, 14.4), b], 'control'), 'Order Completed')
    expect(text).toMatch(
      /\nb\s+1\s+1\s+100\.0%\s+\+90\.0 pp \([+-][\d.]+ to \+[\d.]+\)\s+\+900\.0%\s+[\d.<]+\s+144\.00 EUR\s+\+129\.60\s*\n/,
    )
  })

  it('says when no one was shown the control asked for', () => {
    const text = experimentText(result([variant('a', 10, 1, 1)], 'Control'), 'Order Completed')
    expect(text).toContain('No one was shown the control, Control')
  })

  it('says how many people a variant needs to tell the uplift asked for', () => {
    const text = experimentText(result([variant('control', 400, 40, 14.4)], 'control'), 'Order Completed')
    expect(text).toContain(
      'To tell a +10% uplift on the control’s 10.0% from chance 80% of the time (at 95%), each variant needs about 14,749 people; the smallest here has 400.',
    )
  })
})
