import type { ReactNode } from "react";
import "./badge.css";

/** Shared by the island and the app, so the build has a chunk (and CSS) common to both entries. */
export function Badge({ children }: { children: ReactNode }) {
  return (
    <span className="badge" data-testid="badge">
      {children}
    </span>
  );
}
