/**
 * A minimal XML writer for the WinSW file: elements with attributes and text, every value escaped.
 * Control characters never get here (checkText rejects them), so escaping the five markup
 * characters is enough for a well-formed XML 1.0 document.
 */
export interface XmlElement {
  name: string;
  attributes?: Record<string, string>;
  text?: string;
  children?: XmlElement[];
}

export function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

export function renderXml(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderElement(root, '')}\n`;
}

function renderElement(element: XmlElement, indent: string): string {
  const attributes = Object.entries(element.attributes ?? {})
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  const open = `${indent}<${element.name}${attributes}`;
  if (element.children && element.children.length > 0) {
    const inner = element.children.map((child) => renderElement(child, `${indent}  `)).join('\n');
    return `${open}>\n${inner}\n${indent}</${element.name}>`;
  }
  if (element.text !== undefined) return `${open}>${escapeXml(element.text)}</${element.name}>`;
  return `${open}/>`;
}
