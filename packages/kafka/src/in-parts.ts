import { tooLarge } from './refusal'

/**
 * Sends `items` with `send`; a send the brokers refuse for its size (a partition's part over their
 * message.max.bytes, 1 MB by default: one person's import, large events, no compression, a batch of dead
 * letters) goes again as two halves, and so on down to single items, which the event size limit keeps well
 * under a megabyte. Sent whole again, it would be refused at every retry, for ever. A half that went through
 * before the other failed is sent again with it by the caller's retry; the ingesters' dedupe drops the copy.
 */
export async function sendInParts<T>(
  items: T[],
  send: (part: T[]) => Promise<unknown>,
  onSplit: () => void = () => {},
): Promise<void> {
  try {
    await send(items)
  } catch (err) {
    if (items.length < 2 || !tooLarge(err)) throw err
    onSplit()
    const half = Math.ceil(items.length / 2)
    await sendInParts(items.slice(0, half), send, onSplit)
    await sendInParts(items.slice(half), send, onSplit)
  }
}
