export default function About() {
  return (
    <>
      <h1 data-testid="page-title">About</h1>
      <p>This page is a lazy route: its code is loaded on the first visit.</p>
    </>
  );
}
