import Foundation
import TestSupport

/// A small file system for disk-full tests: a real tmpfs of the given size (mounted as root),
/// or, where mounting is not possible, a directory whose writes an `LD_PRELOAD` shim makes fail
/// with ENOSPC once the files under it take more than a budget (see ``shimSource``).
///
/// `fill(leaving:)` uses up the free space, `freeSpace()` gives it back, `remove()` unmounts
/// and deletes everything; call it in a `defer`. `command(_:)` wraps a program's arguments so
/// that it runs under the shim when there is one.
final class SmallDisk {
    /// The directory to write in.
    let path: String
    /// How full disks are made here, for the test log.
    let kind: String
    private let root: String
    private let shim: (library: String, budgetFile: String)?
    private var filler: String { root + "/filler" }

    /// A disk of `megabytes` MiB, or nil (with the reason printed) when neither a tmpfs nor the
    /// shim can be made here.
    static func make(_ label: String, megabytes: Int) throws -> SmallDisk? {
        let root = try makeTemporaryDirectory("disk-\(label)")
        // GEODIM_TEST_DISKFULL_SHIM=1 tries the shim even where a tmpfs could be mounted.
        let forceShim = ProcessInfo.processInfo.environment["GEODIM_TEST_DISKFULL_SHIM"] == "1"
        let mounted = getuid() == 0 && !forceShim
            ? try runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", root])
            : nil
        if let mounted, mounted.status == 0 { return SmallDisk(root: root, shim: nil, kind: "tmpfs of \(megabytes) MiB") }
        let why = mounted.map { "mount -t tmpfs failed: \($0.stderr.trimmingCharacters(in: .whitespacesAndNewlines))" }
            ?? (forceShim ? "GEODIM_TEST_DISKFULL_SHIM=1" : "not root, cannot mount a tmpfs")
        let library = root + "-shim/diskfull.so"
        try FileManager.default.createDirectory(atPath: root + "-shim", withIntermediateDirectories: true)
        try shimSource.write(toFile: root + "-shim/diskfull.c", atomically: true, encoding: .utf8)
        let compiled = try runProgram(
            "/usr/bin/env", ["cc", "-shared", "-fPIC", "-O1", "-o", library, root + "-shim/diskfull.c", "-ldl"])
        guard compiled.status == 0 else {
            print("SKIPPED: no small disk: \(why); and the ENOSPC shim does not compile: \(compiled.stderr)")
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: root + "-shim")
            return nil
        }
        let budgetFile = root + "-shim/budget"
        try String(megabytes << 20).write(toFile: budgetFile, atomically: true, encoding: .utf8)
        print("small disk: \(why); using the LD_PRELOAD ENOSPC shim instead")
        return SmallDisk(root: root, shim: (library, budgetFile), kind: "ENOSPC shim, \(megabytes) MiB")
    }

    private init(root: String, shim: (library: String, budgetFile: String)?, kind: String) {
        self.root = root
        self.path = root + "/disk"
        self.shim = shim
        self.kind = kind
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `executable arguments…` as (program, arguments) that run it on this disk: through
    /// `env LD_PRELOAD=… GEODIM_DISKFULL_…` under the shim, unchanged on a tmpfs.
    func command(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        guard let shim else { return (executable, arguments) }
        return ("/usr/bin/env", [
            "LD_PRELOAD=\(shim.library)", "GEODIM_DISKFULL_DIR=\(root)", "GEODIM_DISKFULL_BUDGET=\(shim.budgetFile)",
            executable,
        ] + arguments)
    }

    /// Uses up the free space but `bytes` (rounded down to whole 4 KiB pages on a tmpfs).
    func fill(leaving bytes: Int = 0) throws {
        if let shim {
            try String(usedBytes() + bytes).write(toFile: shim.budgetFile, atomically: true, encoding: .utf8)
            return
        }
        var info = statvfs()
        guard statvfs(root, &info) == 0 else { throw TestSupportError("statvfs \(root) failed") }
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw TestSupportError("cannot create \(filler)") }
        defer { close(descriptor) }
        var left = max(0, free - bytes) / 4096 * 4096
        let block = [UInt8](repeating: 0x5a, count: 1 << 20)
        while left > 0 {
            let count = block.withUnsafeBytes { write(descriptor, $0.baseAddress, min(left, $0.count)) }
            guard count > 0 else { break }
            left -= count
        }
        if bytes == 0 {
            // Whatever statvfs did not count (partial pages): write until the disk says no.
            while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, 4096) }) > 0 {}
        }
    }

    /// Gives the space taken by `fill` back.
    func freeSpace() throws {
        if let shim {
            try String(1 << 40).write(toFile: shim.budgetFile, atomically: true, encoding: .utf8)
        } else {
            unlink(filler)
        }
    }

    /// Unmounts the tmpfs (lazily if something still holds it) and removes every file.
    func remove() {
        if shim == nil {
            if (try? runProgram("/bin/umount", [root]))?.status != 0 { _ = try? runProgram("/bin/umount", ["-l", root]) }
        }
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: root + "-shim")
    }

    /// Bytes the files under the disk take (what the shim counts against its budget).
    private func usedBytes() -> Int {
        let files = FileManager.default.enumerator(atPath: root)
        var total = 0
        while let name = files?.nextObject() as? String {
            var info = stat()
            if lstat(root + "/" + name, &info) == 0 { total += Int(info.st_blocks) * 512 }
        }
        return total
    }
}

/// The ENOSPC shim: for files under `$GEODIM_DISKFULL_DIR`, `write`, `pwrite` and `fallocate`
/// fail with ENOSPC when the blocks they would add take the files there past the budget in the
/// file `$GEODIM_DISKFULL_BUDGET` (bytes, read at each call), and `statvfs` reports the budget
/// left as free. Deleting files frees budget, as on a real disk.
let shimSource = #"""
    #define _GNU_SOURCE
    #include <dirent.h>
    #include <dlfcn.h>
    #include <errno.h>
    #include <fcntl.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/stat.h>
    #include <sys/statvfs.h>
    #include <unistd.h>

    static const char *root(void) { return getenv("GEODIM_DISKFULL_DIR"); }

    static int under(const char *path) {
        const char *r = root();
        size_t n = r ? strlen(r) : 0;
        return r && path && strncmp(path, r, n) == 0 && (path[n] == '/' || path[n] == 0);
    }

    static int fd_under(int fd) {
        char link[64], target[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0) return 0;
        target[n] = 0;
        return under(target);
    }

    static long long used_in(const char *dir) {
        long long total = 0;
        DIR *d = opendir(dir);
        if (!d) return 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            struct stat s;
            if (lstat(path, &s) != 0) continue;
            total += (long long)s.st_blocks * 512;
            if (S_ISDIR(s.st_mode)) total += used_in(path);
        }
        closedir(d);
        return total;
    }

    static long long left(void) {
        const char *file = getenv("GEODIM_DISKFULL_BUDGET");
        FILE *f = file ? fopen(file, "r") : NULL;
        if (!f) return 1LL << 50;
        long long budget = 1LL << 50;
        if (fscanf(f, "%lld", &budget) != 1) budget = 1LL << 50;
        fclose(f);
        return budget - used_in(root());
    }

    /* Blocks a write of n bytes at offset would add to fd's file (0 for rewrites). */
    static long long growth(int fd, long long offset, long long n) {
        struct stat s;
        if (fstat(fd, &s) != 0) return n;
        long long allocated = (long long)s.st_blocks * 512;
        long long end = offset + n;
        long long have = s.st_size > allocated ? s.st_size : allocated;
        return end > have ? end - have : 0;
    }

    static int refuse(int fd, long long offset, long long n) {
        if (!fd_under(fd)) return 0;
        long long g = growth(fd, offset, n);
        if (g > 0 && g > left()) { errno = ENOSPC; return 1; }
        return 0;
    }

    ssize_t write(int fd, const void *buf, size_t n) {
        static ssize_t (*real)(int, const void *, size_t);
        if (!real) real = dlsym(RTLD_NEXT, "write");
        if (fd > 2) {
            long long offset = (fcntl(fd, F_GETFL) & O_APPEND) ? -1 : lseek(fd, 0, SEEK_CUR);
            if (offset < 0) { struct stat s; offset = fstat(fd, &s) == 0 ? s.st_size : 0; }
            if (refuse(fd, offset, (long long)n)) return -1;
        }
        return real(fd, buf, n);
    }

    ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset) {
        static ssize_t (*real)(int, const void *, size_t, off_t);
        if (!real) real = dlsym(RTLD_NEXT, "pwrite");
        if (refuse(fd, offset, (long long)n)) return -1;
        return real(fd, buf, n, offset);
    }

    ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t offset) { return pwrite(fd, buf, n, offset); }

    int fallocate(int fd, int mode, off_t offset, off_t length) {
        static int (*real)(int, int, off_t, off_t);
        if (!real) real = dlsym(RTLD_NEXT, "fallocate");
        if (fd_under(fd)) {
            struct stat s;
            long long allocated = fstat(fd, &s) == 0 ? (long long)s.st_blocks * 512 : 0;
            long long g = (long long)offset + length - allocated;
            if (g > 0 && g > left()) { errno = ENOSPC; return -1; }
        }
        return real(fd, mode, offset, length);
    }

    int fallocate64(int fd, int mode, off64_t offset, off64_t length) { return fallocate(fd, mode, offset, length); }

    static void limit(struct statvfs *info) {
        long long l = left();
        if (l < 0) l = 0;
        unsigned long unit = info->f_frsize ? info->f_frsize : 4096;
        info->f_bavail = info->f_bfree = (fsblkcnt_t)(l / unit);
    }

    int statvfs(const char *path, struct statvfs *info) {
        static int (*real)(const char *, struct statvfs *);
        if (!real) real = dlsym(RTLD_NEXT, "statvfs");
        int r = real(path, info);
        if (r == 0 && under(path)) limit(info);
        return r;
    }

    int fstatvfs(int fd, struct statvfs *info) {
        static int (*real)(int, struct statvfs *);
        if (!real) real = dlsym(RTLD_NEXT, "fstatvfs");
        int r = real(fd, info);
        if (r == 0 && fd_under(fd)) limit(info);
        return r;
    }

    /* The 64-bit variants have the same layout on 64-bit Linux. */
    int statvfs64(const char *path, struct statvfs64 *info) { return statvfs(path, (struct statvfs *)info); }
    int fstatvfs64(int fd, struct statvfs64 *info) { return fstatvfs(fd, (struct statvfs *)info); }
    """#
