import { Touchpoint } from '@touchpoint/node'
import { collectorUrl, devProject } from './dev-project'

type Sent = { messageId?: string }

/**
 * What a webhook server records its calls with: the dev project's secret key as the projects file has it now (so
 * a rotated and retired key is followed without a restart), and whether each request's calls were all taken.
 * `deliver` resolves to why one of them was dropped (the collector away past every retry, or a key it no longer
 * accepts), or undefined once the collector has stored or kept each. A webhook answers 503 for a reason, so the
 * service delivers it again; the calls' messageIds are the service's own ids, so a delivery taken twice counts
 * once. A call the collector refused as invalid is kept in its rejected events, and is not sent again.
 */
export function webhookClient(): { deliver(send: (tp: Touchpoint) => Sent[]): Promise<string | undefined> } {
  let current: { key: string; tp: Touchpoint } | undefined
  const dropped = new Map<string, string>()
  const client = () => {
    const key = devProject().secretKey
    if (!key) throw new Error('the dev project has no secret key')
    if (current?.key !== key) {
      void current?.tp.close() // what it still holds settles on its own, through onDrop if it cannot be delivered
      const onDrop = (messages: Array<Record<string, unknown>>, reason: string) => {
        for (const m of messages) dropped.set(String(m.messageId), reason)
      }
      current = { key, tp: new Touchpoint({ secretKey: key, host: collectorUrl, onDrop }) }
    }
    return current.tp
  }
  return {
    async deliver(send) {
      const tp = client()
      const ids = send(tp).map((m) => {
        if (!m.messageId) throw new Error("a webhook's call needs the service's id as its messageId")
        return m.messageId
      })
      await tp.flush()
      let reason: string | undefined
      for (const id of ids) {
        reason ??= dropped.get(id)
        dropped.delete(id)
      }
      return reason
    },
  }
}
