// QR codes for WalletConnect pairing URIs, drawn by the app (qrcode-generator) instead of a
// hosted modal. Pure: a string in, an SVG string or a module matrix out.
import qrcode from 'qrcode-generator';

export interface QrMatrix {
  size: number;
  /** Row-major, true for a dark module. */
  dark: boolean[];
}

function make(text: string) {
  if (text === '') throw new Error('nothing to encode in the QR code');
  // Type 0: the smallest version that fits; level M survives a scratched or glary phone screen.
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  return qr;
}

export function qrMatrix(text: string): QrMatrix {
  const qr = make(text);
  const size = qr.getModuleCount();
  const dark: boolean[] = [];
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) dark.push(qr.isDark(r, c));
  return { size, dark };
}

/** A scalable SVG (fills its container) with a 4-module quiet zone, as scanners expect. */
export function qrSvg(text: string): string {
  return make(text).createSvgTag({ cellSize: 4, margin: 16, scalable: true });
}
