export interface TipProps {
  text: string;
}

/** Mounted when the browser is idle ({% duet_island "Tip" props load="idle" %}). */
export function Tip({ text }: TipProps) {
  return <p data-testid="island-tip">Tip: {text}</p>;
}
