// The bed labels an admin types: separated by commas or spaces, and a run such as "A1-A6" (or "A1–A6")
// stands for A1, A2, … A6.
export function bedLabels(text: string): string[] {
  const out: string[] = []
  for (const token of text.split(/[\s,;]+/).filter(Boolean)) {
    const run = /^(.*?)(\d+)[-–](?:\1)?(\d+)$/.exec(token)
    const [from, to] = run ? [Number(run[2]), Number(run[3])] : [0, -1]
    if (run && to >= from && to - from < 200) {
      for (let n = from; n <= to; n++) out.push(`${run[1]}${n}`)
    } else {
      out.push(token)
    }
  }
  return [...new Set(out)]
}
