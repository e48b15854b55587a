// A generated initial password: 14 characters from letters and digits that are not easily misread
// (no 0/O, 1/l/I), drawn with the browser's cryptographic random numbers.
const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'

export function generatePassword(length = 14): string {
  const out: string[] = []
  const bytes = new Uint8Array(1)
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length)
  while (out.length < length) {
    crypto.getRandomValues(bytes)
    const b = bytes[0]!
    if (b < limit) out.push(alphabet[b % alphabet.length]!)
  }
  return out.join('')
}
