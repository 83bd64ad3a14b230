// Slack's `mimetype` and `filetype` for an upload, from its name when the
// uploader's client did not say. Slack calls anything it has no viewer for
// 'binary', DICOM included.
const BY_EXTENSION: Record<string, { mimetype: string; filetype: string }> = {
  jpg: { mimetype: 'image/jpeg', filetype: 'jpg' },
  jpeg: { mimetype: 'image/jpeg', filetype: 'jpg' },
  png: { mimetype: 'image/png', filetype: 'png' },
  gif: { mimetype: 'image/gif', filetype: 'gif' },
  webp: { mimetype: 'image/webp', filetype: 'webp' },
  heic: { mimetype: 'image/heic', filetype: 'heic' },
  heif: { mimetype: 'image/heif', filetype: 'heic' },
  tif: { mimetype: 'image/tiff', filetype: 'tiff' },
  tiff: { mimetype: 'image/tiff', filetype: 'tiff' },
  dcm: { mimetype: 'application/dicom', filetype: 'binary' },
  pdf: { mimetype: 'application/pdf', filetype: 'pdf' },
  zip: { mimetype: 'application/zip', filetype: 'zip' },
  txt: { mimetype: 'text/plain', filetype: 'text' },
};

export function fileTypes(name: string, mimetype: string | undefined): { mimetype: string; filetype: string } {
  const dot = name.lastIndexOf('.');
  const known = dot > 0 ? BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined;
  const fromMime = Object.values(BY_EXTENSION).find((t) => t.mimetype === mimetype);
  return {
    mimetype: mimetype ?? known?.mimetype ?? 'application/octet-stream',
    filetype: known?.filetype ?? fromMime?.filetype ?? 'binary',
  };
}
