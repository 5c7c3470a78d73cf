import type { FastifyBaseLogger } from 'fastify'
import type { Metrics } from '../metrics'
import type { Spool } from '../spool/spool'

/**
 * What the operator must hear of the spool: a damaged checkpoint found at open, damaged records the reader set
 * aside, and once when its writes begin to fail (a full disk, most often) and once when they succeed again, rather
 * than once a refused request; the damage and the write state also as gauges, for alerting.
 */
export function reportSpoolHealth(spool: Spool, log: FastifyBaseLogger, metrics: Metrics): void {
  const aside = spool.checkpointSetAside
  if (aside)
    log.warn(
      { setAside: aside.path, reason: aside.reason },
      "the spool's checkpoint did not read and was set aside: the spool is loaded again from its first segment (events loaded before are dropped as repeats)",
    )
  metrics.gauge(
    'touchpoint_spool_damaged_bytes',
    'Bytes of damaged spool records (the disk, not a crash) set aside since start; the events in them are lost.',
    () => spool.damagedBytes,
  )
  spool.onDamage((damage) =>
    log.error(
      damage,
      'the spool held damaged records (the disk, not a crash): their bytes are set aside in the file named, the records after them loaded',
    ),
  )
  metrics.gauge(
    'touchpoint_spool_max_bytes',
    "The spool's bound (SPOOL_MAX_BYTES): with touchpoint_spool_queued_bytes there, calls are refused with 503.",
    () => spool.maxBytes,
  )
  metrics.gauge(
    'touchpoint_spool_write_failing',
    '1 while writes to the spool fail (a full disk): tracking calls are refused with 503 TP_ERR_SPOOL_WRITE.',
    () => (spool.failing ? 1 : 0),
  )
  spool.onWriteState((failure) => {
    if (failure)
      log.error(
        { err: failure.reason, code: failure.code },
        'the spool cannot be written (is the disk full?): tracking calls are refused with 503 until a write succeeds',
      )
    else log.info('the spool takes writes again')
  })
}
