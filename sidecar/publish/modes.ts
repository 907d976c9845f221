// The modes of what we publish. Secrets are readable by owner and group only; public files by all;
// nothing is writable. The generation's directories are 0555 once complete: the app usually runs as
// the owner (1654), and no write bit anywhere means it cannot add, replace or remove a file even on
// a read-write mount.
export const MODE_SECRET = 0o440;
export const MODE_PUBLIC = 0o444;
export const MODE_DIR = 0o555;
/** While a generation is being written: nobody else may enter it before it is complete. */
export const MODE_DIR_WRITING = 0o700;
