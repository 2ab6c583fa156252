import { lazy, Suspense } from "react";
import { Link, Route, Routes, useParams } from "react-router";
import { Badge } from "../components/Badge";
import { StaleBanner } from "../components/StaleBanner";
import LoginPage from "./LoginPage";
import NotesPage from "./NotesPage";
import { useSession } from "./session";
import "./app.css";

// A separate chunk, loaded on the first visit to /about (a dynamic entry in the manifest).
const About = lazy(() => import("./About"));

const ITEM_IDS = [1, 2, 3];

function Home() {
  return (
    <>
      <h1 data-testid="page-title">Items</h1>
      <ul data-testid="item-list">
        {ITEM_IDS.map((id) => (
          <li key={id}>
            <Link data-testid={`item-link-${id}`} to={`/items/${id}`}>
              Item {id}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

function Item() {
  const { id } = useParams();
  return <h1 data-testid="page-title">Item {id}</h1>;
}

function NotFound() {
  return <h1 data-testid="page-title">Not found</h1>;
}

export function App() {
  const { user } = useSession();
  return (
    <>
      <StaleBanner />
      <nav className="app-nav">
        <Link data-testid="nav-home" to="/">
          Home
        </Link>
        <Link data-testid="nav-item-2" to="/items/2">
          Item 2
        </Link>
        <Link data-testid="nav-about" to="/about">
          About
        </Link>
        <Link data-testid="nav-notes" to="/notes">
          Notes
        </Link>
        <Link data-testid="nav-login" to="/login">
          Account
        </Link>
        {user && <span data-testid="nav-user">{user.username}</span>}
        <Badge>SPA</Badge>
      </nav>
      <main className="app-main">
        <Suspense fallback={<p data-testid="loading">Loading…</p>}>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route path="/items/:id" element={<Item />} />
            <Route path="/about" element={<About />} />
            <Route path="/login" element={<LoginPage />} />
            <Route path="/notes" element={<NotesPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}
