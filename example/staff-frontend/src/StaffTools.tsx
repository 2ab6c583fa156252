import { lazy, Suspense, useState } from "react";

// Loaded on demand: a lazy chunk of this frontend's build, under its own prefix.
const Report = lazy(() => import("./Report"));

export interface StaffProps {
  /** The Django session's user (the same login as the public frontend: one origin). */
  username: string | null;
}

export function StaffTools({ username }: StaffProps) {
  const [showReport, setShowReport] = useState(false);
  return (
    <section className="staff-tools">
      <h1 data-testid="staff-title">Staff tools</h1>
      <p data-testid="staff-session">{username ? `Signed in as ${username}` : "Not signed in"}</p>
      <button type="button" data-testid="staff-report-button" onClick={() => setShowReport(true)}>
        Show the report
      </button>
      {showReport && (
        <Suspense fallback={<p>Loading the report...</p>}>
          <Report />
        </Suspense>
      )}
    </section>
  );
}
