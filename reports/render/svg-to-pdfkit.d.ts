declare module 'svg-to-pdfkit' {
  /** Draws SVG markup onto a pdfkit document at (x, y). */
  function SVGtoPDF(
    doc: PDFKit.PDFDocument,
    svg: string,
    x: number,
    y: number,
    options?: {
      width?: number;
      height?: number;
      assumePt?: boolean;
      preserveAspectRatio?: string;
      fontCallback?: (family: string, bold: boolean, italic: boolean) => string;
    },
  ): void;
  export default SVGtoPDF;
}
