// The FTP server's view of its root folder: virtual paths ("/a/b") that
// cannot leave the root, by ".." or by a symbolic link pointing out.

/** `path` made absolute against `cwd`, with "." and ".." resolved, never above "/". */
export function virtualPath(cwd: string, path: string): string {
  const parts: string[] = [];
  const joined = path.startsWith("/") ? path : `${cwd}/${path}`;
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return "/" + parts.join("/");
}

/**
 * The real path of `virtual` under `root`, once checked: the deepest part
 * of it that exists must resolve (symbolic links followed) inside the real
 * root. Returns null for a path that escapes.
 */
export async function realPath(
  root: string,
  virtual: string,
): Promise<string | null> {
  const realRoot = await Deno.realPath(root);
  const full = virtual === "/" ? realRoot : `${realRoot}${virtual}`;
  // Walk up to the deepest part that exists, and resolve it.
  let probe = full;
  for (;;) {
    try {
      const resolved = await Deno.realPath(probe);
      const inside = resolved === realRoot ||
        resolved.startsWith(`${realRoot}/`);
      return inside ? full : null;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      // A dangling symbolic link could point anywhere once created.
      if (await isSymlink(probe)) return null;
      const slash = probe.lastIndexOf("/");
      if (slash <= realRoot.length - 1) return null;
      probe = probe.slice(0, slash);
    }
  }
}

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isSymlink;
  } catch {
    return false;
  }
}
