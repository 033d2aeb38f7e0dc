/** Relative luminance (WCAG 2) of a #rrggbb colour. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** WCAG 2 contrast ratio of two #rrggbb colours. */
export const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

/**
 * Brand colours made readable (WCAG AA, 4.5:1): `onColor` for text on the brand colour, and
 * `linkColor`, the brand colour itself when it reads on white (and white text reads on it), else a
 * blue that does. The emails and the pages use the brand colour only through these.
 */
export function brandColors(color: string): { onColor: string; linkColor: string } {
  const valid = /^#[0-9a-fA-F]{6}$/.test(color);
  if (!valid) return { onColor: '#ffffff', linkColor: '#0b57d0' };
  return {
    onColor: contrast(color, '#ffffff') >= contrast(color, '#111111') ? '#ffffff' : '#111111',
    linkColor: contrast(color, '#ffffff') >= 4.5 ? color : '#0b57d0',
  };
}
