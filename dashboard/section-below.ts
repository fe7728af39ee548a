/** CloudWatch's grid is 24 units wide. */
export const GRID_WIDTH = 24;

interface PlacedWidget {
  y?: number;
  height?: number;
}

/**
 * A dashboard body with a titled section added below every other widget: a full-width text widget holding `title`,
 * then the widgets `below` places from the row it is given (the one under the title). Used for the sections only the
 * local page draws.
 */
export function withSectionBelow(body: string, title: string, below: (y: number) => object[]): string {
  const parsed = JSON.parse(body) as { widgets: PlacedWidget[] };
  const bottom = Math.max(0, ...parsed.widgets.map((w) => (w.y ?? 0) + (w.height ?? 6)));
  const heading = { type: "text", x: 0, y: bottom, width: GRID_WIDTH, height: 1, properties: { markdown: title } };
  return JSON.stringify({ ...parsed, widgets: [...parsed.widgets, heading, ...below(bottom + 1)] });
}
