// The staff tools page (/staff/): a second frontend beside the public one, built and served on
// its own (docs/frontends.md). Its props come from Django ({% duet_props "staff-props" ... %}).
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { StaffTools, type StaffProps } from "./StaffTools";
import "./staff.css";

const root = document.getElementById("staff-root");
const props = document.getElementById("staff-props");
if (root === null || props === null) {
  console.error('staff frontend: the page needs #staff-root and {% duet_props "staff-props" ... %}.');
} else {
  createRoot(root).render(
    <StrictMode>
      <StaffTools {...(JSON.parse(props.textContent ?? "{}") as StaffProps)} />
    </StrictMode>,
  );
}
