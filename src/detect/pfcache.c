/*
 * pfcache.c: the prefilter's compiled Vectorscan databases kept on disk,
 * so that loading the same rules again costs a file read instead of a
 * compile (the community rule set's 24,000 literals take about half a
 * second to compile; reading them back, a few milliseconds).
 *
 * Key.  A database is named by a BLAKE2b-256 hash (crypto_generichash)
 * of everything its compile and its use depend on: this format's tag;
 * the library's version string (hs_version(): release and build date,
 * since a database is the compiler's bytecode for one runtime); the host
 * as hs_populate_platform() sees it (tuning and CPU features: a database
 * built with AVX2 is refused where there is none, so two machines
 * sharing a home directory keep files of their own); the pointer size
 * and byte order; then the compile's mode and number of patterns and,
 * per pattern, its flags, id, length and bytes (detect_pfc_key()).
 * Equal keys mean the same compile by the same library on a host it
 * suits.
 *
 * Format.  One file per database, named by its key in hex and ".hsdb":
 *
 *   offset size
 *        0    8  magic "vigilpf1"
 *        8   32  the key (a file copied under another name is refused)
 *       40    8  the payload's length, little-endian
 *       48   32  BLAKE2b-256 of the payload
 *       80    n  payload: hs_serialize_database()'s bytes
 *
 * On reading, the file's size must lie within PFC_MAX_FILE (the largest
 * community database is 1.1 MB) and match the header, the hash must
 * match before the library sees a byte, hs_serialized_database_info()
 * must name the running library's version and block mode, and
 * hs_deserialize_database() checks its own header (magic, version,
 * platform, length) and a CRC32C of the bytecode.  Anything else is
 * ignored: the database is compiled and the file rewritten.
 *
 * Trust.  A database is code for the library's matching engines: one
 * someone else could have planted or changed must never run.  The
 * directory (created 0700 with its missing parents) is used only when
 * it is a directory owned by the effective user and writable by neither
 * group nor others; a file only when it is a regular file (a symbolic
 * link or a FIFO is refused unopened) with the same owner and the same
 * bits clear, as ssh treats keys.  Files are opened relative to the
 * directory's descriptor, so the directory checked is the one read.
 *
 * Writes.  A temporary file ".tmp-<random hex>" is created 0600
 * (O_EXCL, no symbolic link followed) in the directory, written, and
 * renamed over the name: a reader sees the old file or the whole new
 * one.  No fsync: a file torn by a crash fails its hash and is rebuilt.
 *
 * Growth.  A hit sets the file's modification time to now when it is
 * over a day old, so that time says when it was last used.  After a
 * compile that wrote a file, the files named like ours (and only those:
 * the directory may be shared) not used for PFC_MAX_AGE days are
 * removed, temporary ones after a day, then the least recently used
 * until PFC_MAX_FILES remain; the files this compile used stay.  The
 * community set needs 45 files (4.6 MB), so the bound holds about ten
 * such sets; an edited rule changes the files of its log source only
 * (patterns are numbered per database).
 *
 * Failures.  The cache never fails a compile: a database it cannot give
 * is compiled, one it cannot keep is dropped.  A directory that cannot
 * be made or is not trusted, or a write that fails (read-only disk, no
 * space), is told once per ruleset as a warning, and writing stops
 * there; a missing file is no problem, nor is a HOME unset, and a file
 * ignored and rewritten is told at info level only.
 */
#include "detect/detect_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hs/hs.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PFC_MAGIC "vigilpf1"
#define PFC_HDR 80

/*
 * The largest file read.  The community set's largest database (process
 * creation's field literals) serializes to 1.1 MB; 64 MB leaves room for
 * rule sets fifty times larger and refuses a file that would make a run
 * allocate without bound.
 */
#define PFC_MAX_FILE (64u << 20)

/* Smaller than any database the library makes (its header alone is
 * 28 bytes, its engine's several hundred). */
#define PFC_MIN_DB 64

/* Pruning: days unused before removal, files kept at most, and how old
 * a temporary file must be to count as a dead writer's. */
#define PFC_MAX_AGE (30 * 86400)
#define PFC_MAX_FILES 512
#define PFC_TMP_AGE 86400

/* A hit refreshes the modification time when it is older than this. */
#define PFC_TOUCH 86400

/* Directory entries looked at when pruning, at most. */
#define PFC_SCAN_MAX 65536

/* 64 hex digits, ".hsdb", NUL. */
#define PFC_NAME (2 * DETECT_PFC_KEY + 6)

struct detect_pfc {
	int dirfd;		/* -1: nothing is read or written */
	char dir[1024];		/* as given, for messages */
	bool warned;		/* the one warning was given */
	bool nowrite;		/* a write failed: no more are tried */
	unsigned char env[DETECT_PFC_KEY];	/* library and host */
	unsigned nread, nwritten;
	/* Keys used by this compile, kept when pruning. */
	unsigned char (*used)[DETECT_PFC_KEY];
	unsigned nused, capused;
};

/* The one warning a ruleset's cache may give; later ones are dropped. */
static void pfc_warn(struct detect_pfc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pfc_warn(struct detect_pfc *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->warned)
		return;
	c->warned = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	core_log(CORE_LOG_WARN, "detect", c->dir, 0,
		 "prefilter cache: %s; compiling without it", msg);
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void hash_u64(crypto_generichash_state *st, uint64_t v)
{
	unsigned char b[8];

	put_le64(b, v);
	crypto_generichash_update(st, b, sizeof(b));
}

/* Hashes what a database's use depends on besides its patterns; false
 * when the library cannot say what host this is. */
static bool env_hash(struct detect_pfc *c)
{
	static const char tag[] = "vigil prefilter cache 1";
	const uint16_t order = 0x0102;
	crypto_generichash_state st;
	hs_platform_info_t plat;
	const char *ver = hs_version();

	memset(&plat, 0, sizeof(plat));
	if (hs_populate_platform(&plat) != HS_SUCCESS || ver == NULL)
		return false;
	crypto_generichash_init(&st, NULL, 0, DETECT_PFC_KEY);
	crypto_generichash_update(&st, (const unsigned char *)tag,
				  sizeof(tag));
	crypto_generichash_update(&st, (const unsigned char *)ver,
				  strlen(ver) + 1);
	hash_u64(&st, plat.tune);
	hash_u64(&st, plat.cpu_features);
	hash_u64(&st, sizeof(void *));
	crypto_generichash_update(&st, (const unsigned char *)&order,
				  sizeof(order));
	crypto_generichash_final(&st, c->env, DETECT_PFC_KEY);
	return true;
}

/* Declared in detect_int.h. */
void detect_pfc_key(const struct detect_pfc *c,
		    const struct detect_pfc_in *in,
		    unsigned char key[DETECT_PFC_KEY])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, DETECT_PFC_KEY);
	crypto_generichash_update(&st, c->env, sizeof(c->env));
	hash_u64(&st, in->mode);
	hash_u64(&st, in->n);
	for (unsigned i = 0; i < in->n; i++) {
		hash_u64(&st, in->flags[i]);
		hash_u64(&st, in->ids[i]);
		hash_u64(&st, in->lens[i]);
		crypto_generichash_update(&st,
					  (const unsigned char *)in->expr[i],
					  in->lens[i]);
	}
	crypto_generichash_final(&st, key, DETECT_PFC_KEY);
}

/* ---------------------------------------------------------- directory */

/* Declared in detect_int.h. */
int detect_pfc_default_dir(char *out, size_t n)
{
	const char *v = getenv("VIGIL_CACHE_DIR");
	int len;

	if (v != NULL) {
		if (v[0] == '\0')
			return CORE_E_NOTFOUND;
		len = snprintf(out, n, "%s", v);
	} else if ((v = getenv("XDG_CACHE_HOME")) != NULL && v[0] == '/') {
		/* The XDG spec: a relative value is to be ignored. */
		len = snprintf(out, n, "%s/vigil", v);
	} else if ((v = getenv("HOME")) != NULL && v[0] == '/') {
		len = snprintf(out, n, "%s/.cache/vigil", v);
	} else {
		return CORE_E_NOTFOUND;
	}
	return len > 0 && (size_t)len < n ? 0 : CORE_E_TOOBIG;
}

/* mkdir -p path, each directory made 0700; 0 or -1 with errno. */
static int make_dirs(char *path)
{
	struct stat st;
	char *slash;
	int rc;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return -1;
	}
	if (errno != ENOENT)
		return -1;
	slash = strrchr(path, '/');
	if (slash != NULL && slash > path) {
		*slash = '\0';
		rc = make_dirs(path);
		*slash = '/';
		if (rc != 0)
			return -1;
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Owned by us, writable by no one else: may we run what it holds? */
static bool trusted(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & 022) == 0;
}

/* Declared in detect_int.h. */
struct detect_pfc *detect_pfc_open(const char *dir)
{
	struct detect_pfc *c = calloc(1, sizeof(*c));
	char path[sizeof(c->dir)];
	struct stat st;

	if (c == NULL)
		return NULL;
	c->dirfd = -1;
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s", dir);
	if (sodium_init() < 0 || !env_hash(c)) {
		pfc_warn(c, "cannot identify the library or host");
		return c;
	}
	if (make_dirs(path) != 0) {
		pfc_warn(c, "cannot create it: %s", strerror(errno));
		return c;
	}
	c->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0 || fstat(c->dirfd, &st) != 0) {
		pfc_warn(c, "cannot open it: %s", strerror(errno));
	} else if (!trusted(&st)) {
		pfc_warn(c, "not used: %s (it must be yours, and writable "
			 "by you only)", st.st_uid != geteuid() ?
			 "owned by another user" :
			 "writable by group or others");
	} else {
		return c;
	}
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
	return c;
}

static void file_name(const unsigned char key[DETECT_PFC_KEY],
		      char name[PFC_NAME])
{
	sodium_bin2hex(name, PFC_NAME, key, DETECT_PFC_KEY);
	memcpy(name + 2 * DETECT_PFC_KEY, ".hsdb", 6);
}

/* Notes a key this compile uses, so that pruning keeps its file. */
static void note_used(struct detect_pfc *c,
		      const unsigned char key[DETECT_PFC_KEY])
{
	if (c->nused == c->capused) {
		unsigned ncap = c->capused ? c->capused * 2 : 64;
		void *p = realloc(c->used, ncap * sizeof(*c->used));

		if (p == NULL)
			return;
		c->used = p;
		c->capused = ncap;
	}
	memcpy(c->used[c->nused++], key, DETECT_PFC_KEY);
}

/* ------------------------------------------------------------- reading */

/* Reads n bytes at offset 0; false on a short read or an error. */
static bool read_all(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* Do the header and hash of a file of n bytes hold for key? */
static bool header_ok(const unsigned char *b, size_t n,
		      const unsigned char key[DETECT_PFC_KEY])
{
	unsigned char h[DETECT_PFC_KEY];

	if (memcmp(b, PFC_MAGIC, 8) != 0 ||
	    memcmp(b + 8, key, DETECT_PFC_KEY) != 0 ||
	    get_le64(b + 40) != n - PFC_HDR)
		return false;
	crypto_generichash(h, sizeof(h), b + PFC_HDR, n - PFC_HDR, NULL, 0);
	return sodium_memcmp(h, b + 48, sizeof(h)) == 0;
}

/* Does the library describe the payload as its own version's, in block
 * mode ("Version: 5.4.9 Features: AVX2 Mode: BLOCK")? */
static bool info_ok(const unsigned char *p, size_t n)
{
	static const char tail[] = " Mode: BLOCK";
	const char *ver = hs_version();
	size_t vlen = strcspn(ver, " "), ilen;
	char *info = NULL;
	bool ok;

	if (hs_serialized_database_info((const char *)p, n, &info) !=
	    HS_SUCCESS || info == NULL)
		return false;
	ilen = strlen(info);
	ok = strncmp(info, "Version: ", 9) == 0 &&
	     strncmp(info + 9, ver, vlen) == 0 && info[9 + vlen] == ' ' &&
	     ilen >= sizeof(tail) - 1 &&
	     strcmp(info + ilen - (sizeof(tail) - 1), tail) == 0;
	free(info);
	return ok;
}

/* The database in open file fd, or NULL (why: at info level). */
static struct hs_database *read_db(struct detect_pfc *c, int fd,
				   const char *name,
				   const unsigned char key[DETECT_PFC_KEY])
{
	hs_database_t *db = NULL;
	unsigned char *b = NULL;
	const char *why = NULL;
	struct stat st;
	size_t n;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !trusted(&st))
		why = "not a regular file of yours, writable by you only";
	else if (st.st_size < PFC_HDR + PFC_MIN_DB ||
		 st.st_size > (off_t)PFC_MAX_FILE)
		why = "size out of bounds";
	n = why ? 0 : (size_t)st.st_size;
	if (why == NULL && (b = malloc(n)) == NULL)
		why = "out of memory";
	if (why == NULL && !read_all(fd, b, n))
		why = "cannot be read whole";
	if (why == NULL && !header_ok(b, n, key))
		why = "damaged (header or hash)";
	if (why == NULL && !info_ok(b + PFC_HDR, n - PFC_HDR))
		why = "made by another library version or mode";
	if (why == NULL &&
	    hs_deserialize_database((const char *)b + PFC_HDR, n - PFC_HDR,
				    &db) != HS_SUCCESS) {
		why = "refused by the library";
		db = NULL;
	}
	free(b);
	if (why != NULL) {
		core_log(CORE_LOG_INFO, "detect", c->dir, 0,
			 "prefilter cache: %s: %s; ignored", name, why);
		return NULL;
	}
	if (st.st_mtime < time(NULL) - PFC_TOUCH)
		(void)futimens(fd, NULL);
	return db;
}

/* Declared in detect_int.h. */
struct hs_database *detect_pfc_get(struct detect_pfc *c,
				   const unsigned char key[DETECT_PFC_KEY])
{
	char name[PFC_NAME];
	hs_database_t *db;
	int fd;

	if (c == NULL || c->dirfd < 0)
		return NULL;
	note_used(c, key);
	file_name(key, name);
	/* No link followed; a FIFO does not block the open. */
	fd = openat(c->dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			core_log(CORE_LOG_INFO, "detect", c->dir, 0,
				 "prefilter cache: %s: %s; ignored", name,
				 strerror(errno));
		return NULL;
	}
	db = read_db(c, fd, name, key);
	close(fd);
	c->nread += db != NULL;
	return db;
}

/* ------------------------------------------------------------- writing */

static bool write_all(int fd, const void *p, size_t n)
{
	const char *q = p;

	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		q += w;
		n -= (size_t)w;
	}
	return true;
}

/* Writes header and payload to a new temporary file, renamed to name;
 * false with errno on failure (the temporary file removed). */
static bool write_file(struct detect_pfc *c, const char *name,
		       const unsigned char *hdr, const char *p, size_t n)
{
	unsigned char rnd[8];
	char tmp[5 + 2 * sizeof(rnd) + 1];
	bool ok;
	int fd, e;

	randombytes_buf(rnd, sizeof(rnd));
	memcpy(tmp, ".tmp-", 5);
	sodium_bin2hex(tmp + 5, sizeof(tmp) - 5, rnd, sizeof(rnd));
	fd = openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	ok = fchmod(fd, 0600) == 0 && write_all(fd, hdr, PFC_HDR) &&
	     write_all(fd, p, n);
	e = errno;
	ok = close(fd) == 0 && ok;
	ok = ok && renameat(c->dirfd, tmp, c->dirfd, name) == 0;
	if (!ok) {
		e = errno ? errno : e;
		unlinkat(c->dirfd, tmp, 0);
		errno = e;
	}
	return ok;
}

/* Declared in detect_int.h. */
void detect_pfc_put(struct detect_pfc *c,
		    const unsigned char key[DETECT_PFC_KEY],
		    const struct hs_database *db)
{
	unsigned char hdr[PFC_HDR];
	char name[PFC_NAME];
	char *bytes = NULL;
	size_t n = 0;

	if (c == NULL || c->dirfd < 0 || c->nowrite)
		return;
	if (hs_serialize_database(db, &bytes, &n) != HS_SUCCESS) {
		pfc_warn(c, "cannot serialize a database");
		c->nowrite = true;
		return;
	}
	if (n < PFC_MIN_DB || n > PFC_MAX_FILE - PFC_HDR) {
		core_log(CORE_LOG_INFO, "detect", c->dir, 0,
			 "prefilter cache: a database of %zu bytes is not "
			 "kept", n);
		free(bytes);
		return;
	}
	memcpy(hdr, PFC_MAGIC, 8);
	memcpy(hdr + 8, key, DETECT_PFC_KEY);
	put_le64(hdr + 40, n);
	crypto_generichash(hdr + 48, DETECT_PFC_KEY, (unsigned char *)bytes,
			   n, NULL, 0);
	file_name(key, name);
	errno = 0;
	if (write_file(c, name, hdr, bytes, n)) {
		c->nwritten++;
	} else {
		pfc_warn(c, "cannot write %s: %s", name,
			 errno ? strerror(errno) : "short write");
		c->nowrite = true;
	}
	free(bytes);
}

/* ------------------------------------------------------------- pruning */

struct pfc_ent {
	char name[PFC_NAME];
	time_t mtime;
};

/* Is name one of ours: a database (*tmp false) or a temporary file? */
static bool our_name(const char *name, bool *tmp)
{
	size_t n = strlen(name), i;

	*tmp = strncmp(name, ".tmp-", 5) == 0 && n == 5 + 16;
	if (*tmp)
		return true;
	if (n != PFC_NAME - 1 || strcmp(name + n - 5, ".hsdb") != 0)
		return false;
	for (i = 0; i < n - 5; i++) {
		if (!(name[i] >= '0' && name[i] <= '9') &&
		    !(name[i] >= 'a' && name[i] <= 'f'))
			return false;
	}
	return true;
}

static bool was_used(const struct detect_pfc *c, const char *name)
{
	char other[PFC_NAME];

	for (unsigned i = 0; i < c->nused; i++) {
		file_name(c->used[i], other);
		if (strcmp(other, name) == 0)
			return true;
	}
	return false;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct pfc_ent *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Removes our files unused for PFC_MAX_AGE (temporary ones after
 * PFC_TMP_AGE), then the least recently used past PFC_MAX_FILES; files
 * this compile used are kept whatever their age.  Collects the kept
 * databases in ents (room for PFC_SCAN_MAX); returns how many.
 */
static size_t prune_old(struct detect_pfc *c, DIR *d, struct pfc_ent *ents)
{
	time_t now = time(NULL);
	struct dirent *de;
	size_t n = 0, seen = 0;

	while ((de = readdir(d)) != NULL && seen++ < PFC_SCAN_MAX) {
		struct stat st;
		bool tmp;

		if (!our_name(de->d_name, &tmp) ||
		    fstatat(c->dirfd, de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0 ||
		    S_ISDIR(st.st_mode) || was_used(c, de->d_name))
			continue;
		if (st.st_mtime < now - (tmp ? PFC_TMP_AGE : PFC_MAX_AGE)) {
			unlinkat(c->dirfd, de->d_name, 0);
			continue;
		}
		if (tmp)
			continue;
		memcpy(ents[n].name, de->d_name, PFC_NAME);
		ents[n++].mtime = st.st_mtime;
	}
	return n;
}

static void prune(struct detect_pfc *c)
{
	int fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct pfc_ent *ents;
	DIR *d;
	size_t n, keep;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	ents = malloc(PFC_SCAN_MAX * sizeof(*ents));
	if (d == NULL || ents == NULL) {
		if (d != NULL)
			closedir(d);
		else
			close(fd);
		free(ents);
		return;
	}
	n = prune_old(c, d, ents);
	closedir(d);
	/* The files this compile used are not in ents: count them. */
	keep = PFC_MAX_FILES > c->nused ? PFC_MAX_FILES - c->nused : 0;
	if (n > keep) {
		qsort(ents, n, sizeof(*ents), ent_cmp);
		for (size_t i = 0; i < n - keep; i++)
			unlinkat(c->dirfd, ents[i].name, 0);
	}
	free(ents);
}

/* Declared in detect_int.h. */
void detect_pfc_close(struct detect_pfc *c, unsigned *nread,
		      unsigned *nwritten)
{
	if (c == NULL)
		return;
	*nread = c->nread;
	*nwritten = c->nwritten;
	if (c->nwritten > 0)
		prune(c);
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->used);
	free(c);
}
