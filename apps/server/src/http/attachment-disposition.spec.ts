import { attachmentDisposition } from './executions.controller';

describe('attachment Content-Disposition', () => {
  it('names the file after the attachment, with an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachmentDisposition('largest directories', 0)).toBe(`inline; filename="largest directories.json"; filename*=UTF-8''largest%20directories.json`);
    // Quotes, slashes, CR/LF and non-ASCII never reach the quoted fallback.
    expect(attachmentDisposition('Größe "/var"\r\nX-Evil: 1', 3)).toBe(
      `inline; filename="Gr_e _var_X-Evil_ 1.json"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20%22%2Fvar%22%0D%0AX-Evil%3A%201.json`,
    );
    expect(attachmentDisposition("it's (new)*", 1)).toBe(`inline; filename="it_s _new_.json"; filename*=UTF-8''it%27s%20%28new%29%2A.json`);
    expect(attachmentDisposition('   ', 4)).toBe(`inline; filename="attachment-4.json"; filename*=UTF-8''attachment-4.json`);
    expect(attachmentDisposition('✓✓', 2)).toBe(`inline; filename="attachment-2.json"; filename*=UTF-8''%E2%9C%93%E2%9C%93.json`);
  });
});
