import { benchQueries } from '/work/main/bench/queries'

const r = await benchQueries(Number(process.argv[2] ?? 1_000_000), 3)
console.log(JSON.stringify(r, null, 1))
