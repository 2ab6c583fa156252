export default function Report() {
  return <p data-testid="staff-report">The report, from a lazy chunk of the staff build.</p>;
}
