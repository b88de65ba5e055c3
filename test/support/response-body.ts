/** A response's body: parsed when it is JSON, else its text (metrics, docs, an error page worth quoting). */
export async function responseBody(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
