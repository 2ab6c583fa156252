import { useEffect, useState } from "react";
import { onStaleFrontend } from "django-duet/client";

/** Offers a reload once the server runs a newer frontend than this page (after a deploy). */
export function StaleBanner() {
  const [stale, setStale] = useState(false);
  useEffect(() => onStaleFrontend(() => setStale(true)), []);
  if (!stale) return null;
  return (
    <div className="stale-banner" role="status" data-testid="stale-banner">
      A new version of this app is available.{" "}
      <button type="button" data-testid="stale-reload" onClick={() => window.location.reload()}>
        Reload
      </button>
    </div>
  );
}
