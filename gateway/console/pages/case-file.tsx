/** Renders whatever a projection let through, as definition lists: the page never adds or guesses fields. */
const label = (key: string) => key.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

export function Value(props: { value: unknown }) {
  const { value } = props;
  if (value === null || value === undefined) return <span class="muted">—</span>;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return <>{value.join(', ')}</>;
    return <ul>{value.map((v) => <li><Value value={v} /></li>)}</ul>;
  }
  if (typeof value === 'object') {
    return (
      <dl class="fields">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => <><dt>{label(k)}</dt><dd><Value value={v} /></dd></>)}
      </dl>
    );
  }
  return <>{String(value)}</>;
}

export function CaseFileSections(props: { caseFile: Record<string, unknown> }) {
  const { notes, ...sections } = props.caseFile as { notes?: { category: string; text: string }[] } & Record<string, unknown>;
  const entries = Object.entries(sections);
  return (
    <>
      {entries.length === 0 && !notes?.length ? <p class="muted">Nothing of the case file may be shown under current consent.</p> : null}
      {entries.map(([section, content]) => (
        <section class="card" aria-labelledby={`section-${section}`}>
          <h3 id={`section-${section}`}>{label(section)}</h3>
          <Value value={content} />
        </section>
      ))}
      {notes?.length ? (
        <section class="card" aria-labelledby="section-notes">
          <h3 id="section-notes">Notes</h3>
          <ul>{notes.map((n) => <li><span class="badge">{label(n.category)}</span> {n.text}</li>)}</ul>
        </section>
      ) : null}
    </>
  );
}

export const categoryLabel = label;
