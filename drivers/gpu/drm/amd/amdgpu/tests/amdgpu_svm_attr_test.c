// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * Tests of the SVM attribute tree: a random model test against a plain
 * per-page array, every validation error, allocation failure at every
 * step, and attributes dropped by a real munmap.
 */

#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/prandom.h>
#include <linux/sizes.h>

#include "../amdgpu_svm_attr.h"
#include "../amdgpu_svm_ioctl.h"
#include "amdgpu_svm_test_helpers.h"

#define MODEL_PAGES	1024
#define MODEL_OPS	5000

/*
 * The model knows the attributes only as the UAPI does: one value per
 * attribute type and page, as GET_ATTR returns it for that page alone. It
 * shares no type, layout or constant with the tree's code beyond the UAPI.
 */
struct model_page {
	u32 val[AMDGPU_SVM_ATTR_GPU_READ_MOSTLY + 1];
};

#define MODEL_TYPES	ARRAY_SIZE(((struct model_page *)0)->val)

struct model {
	struct kunit *test;
	struct amdgpu_svm_attr_tree tree;
	unsigned long base;		/* first page of the window */
	struct model_page *pages;	/* what each page must hold */
	struct model_page defaults;	/* what GET returns for a page never set */
	u32 *reported;			/* changes reported per page */
	struct rnd_state rnd;
	char last_op[64];		/* for failure messages */
};

static void attr_tree_release(void *data)
{
	amdgpu_svm_attr_tree_fini(data);
}

static void init_tree(struct kunit *test, struct amdgpu_svm_attr_tree *tree,
		      bool xnack_on)
{
	struct amdgpu_svm_attrs defaults;

	KUNIT_ASSERT_EQ(test, kunit_attach_mm(), 0);
	amdgpu_svm_attr_defaults(&defaults, xnack_on, 9);
	amdgpu_svm_attr_tree_init(tree, current->mm, &defaults);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, attr_tree_release,
							tree), 0);
}

static bool attrs_same(const struct amdgpu_svm_attrs *a,
		       const struct amdgpu_svm_attrs *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Sorted, no overlap, no empty node, no equal neighbours, no default node. */
static void check_invariants(struct kunit *test, struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_attr_node *prev = NULL, *node;
	struct rb_node *rb;
	int count = 0;

	mutex_lock(&tree->lock);
	for (rb = rb_first_cached(&tree->root); rb; rb = rb_next(rb)) {
		node = rb_entry(rb, struct amdgpu_svm_attr_node, it.rb);
		count++;
		KUNIT_EXPECT_LE(test, node->it.start, node->it.last);
		KUNIT_EXPECT_FALSE(test, attrs_same(&node->attrs, &tree->defaults));
		if (prev) {
			KUNIT_EXPECT_LT(test, prev->it.last, node->it.start);
			if (prev->it.last + 1 == node->it.start)
				KUNIT_EXPECT_FALSE(test, attrs_same(&prev->attrs,
								    &node->attrs));
		}
		prev = node;
	}
	mutex_unlock(&tree->lock);
	KUNIT_EXPECT_EQ(test, count, amdgpu_svm_live_read(&tree->nr_nodes));
}

static u32 rnd_below(struct model *m, u32 n)
{
	return prandom_u32_state(&m->rnd) % n;
}

static u32 random_value(struct model *m, u32 type)
{
	static const u32 locs[] = { AMDGPU_SVM_LOCATION_SYSMEM,
				    AMDGPU_SVM_LOCATION_LOCAL,
				    AMDGPU_SVM_LOCATION_UNDEFINED };

	switch (type) {
	case AMDGPU_SVM_ATTR_PREFERRED_LOC:
	case AMDGPU_SVM_ATTR_PREFETCH_LOC:
		return locs[rnd_below(m, ARRAY_SIZE(locs))];
	case AMDGPU_SVM_ATTR_ACCESS:
		return rnd_below(m, 3);
	case AMDGPU_SVM_ATTR_GRANULARITY:
		return rnd_below(m, 4) ? rnd_below(m, 12) : 60 + rnd_below(m, 10);
	default:
		return rnd_below(m, 2);
	}
}

/* What one SET attribute does to one page, from the UAPI documentation. */
static void model_apply(struct model_page *pg, u32 type, u32 value)
{
	/* Granularity is clamped to 63; every other value is kept as given. */
	pg->val[type] = type == AMDGPU_SVM_ATTR_GRANULARITY ? min(value, 63u) : value;
}

/* The kind of change a different value of each attribute type is. */
static const u32 model_change_of[MODEL_TYPES] = {
	[AMDGPU_SVM_ATTR_PREFERRED_LOC] = AMDGPU_SVM_CHANGE_LOCATION,
	[AMDGPU_SVM_ATTR_PREFETCH_LOC] = AMDGPU_SVM_CHANGE_PREFETCH,
	[AMDGPU_SVM_ATTR_ACCESS] = AMDGPU_SVM_CHANGE_ACCESS,
	[AMDGPU_SVM_ATTR_GRANULARITY] = AMDGPU_SVM_CHANGE_GRANULARITY,
	[AMDGPU_SVM_ATTR_HOST_ACCESS] = AMDGPU_SVM_CHANGE_LOCATION,
	[AMDGPU_SVM_ATTR_COHERENT] = AMDGPU_SVM_CHANGE_PTE,
	[AMDGPU_SVM_ATTR_EXT_COHERENT] = AMDGPU_SVM_CHANGE_PTE,
	[AMDGPU_SVM_ATTR_HIVE_LOCAL] = AMDGPU_SVM_CHANGE_LOCATION,
	[AMDGPU_SVM_ATTR_GPU_RO] = AMDGPU_SVM_CHANGE_PTE,
	[AMDGPU_SVM_ATTR_GPU_EXEC] = AMDGPU_SVM_CHANGE_PTE,
	[AMDGPU_SVM_ATTR_GPU_READ_MOSTLY] = AMDGPU_SVM_CHANGE_LOCATION,
};

/* The changes a page must be reported with: a diff, type by type. */
static u32 model_changes(const struct model_page *o, const struct model_page *n)
{
	u32 c = 0, t;

	for (t = 0; t < MODEL_TYPES; t++)
		if (o->val[t] != n->val[t])
			c |= model_change_of[t];
	return c;
}

static void record_change(void *priv, unsigned long start, unsigned long last,
			  u32 changes)
{
	struct model *m = priv;
	unsigned long p;

	KUNIT_EXPECT_NE(m->test, changes, 0);
	KUNIT_ASSERT_GE(m->test, start, m->base);
	KUNIT_ASSERT_LT(m->test, last, m->base + MODEL_PAGES);
	for (p = start; p <= last; p++) {
		KUNIT_EXPECT_EQ_MSG(m->test, m->reported[p - m->base], 0,
				    "page %lu reported twice", p);
		m->reported[p - m->base] = changes;
	}
}

/*
 * GET over [s, l] from the per-page model, as the UAPI documents it:
 * locations are UNDEFINED where the pages differ, access and granularity
 * the least of the pages', a flag set only if every page has it.
 */
static u32 model_get(struct model *m, unsigned long s, unsigned long l, u32 type)
{
	u32 v = m->pages[s - m->base].val[type], w;
	unsigned long p;

	for (p = s + 1; p <= l; p++) {
		w = m->pages[p - m->base].val[type];
		switch (type) {
		case AMDGPU_SVM_ATTR_PREFERRED_LOC:
		case AMDGPU_SVM_ATTR_PREFETCH_LOC:
			if (w != v)
				return AMDGPU_SVM_LOCATION_UNDEFINED;
			break;
		default:
			v = min(v, w);
		}
	}
	return v;
}

/* What GET returns, type by type, for [s, l]. */
static void tree_get(struct model *m, unsigned long s, unsigned long l,
		     struct model_page *out)
{
	struct drm_amdgpu_svm_attribute get[MODEL_TYPES];
	u32 t;

	for (t = 0; t < MODEL_TYPES; t++)
		get[t].type = t;
	KUNIT_ASSERT_EQ(m->test, amdgpu_svm_ioctl_read_attrs(&m->tree, s, l, get,
							     MODEL_TYPES), 0);
	for (t = 0; t < MODEL_TYPES; t++)
		out->val[t] = get[t].value;
}

static void model_check(struct model *m)
{
	unsigned long p, s, l, istart, ilast, end = m->base + MODEL_PAGES;
	struct model_page got;
	struct amdgpu_svm_attrs a;
	int i, t;

	/* Like every user of the tree, drop what the CPU unmapped first. */
	KUNIT_ASSERT_EQ(m->test, amdgpu_svm_attr_drop_unmapped(&m->tree), 0);
	check_invariants(m->test, &m->tree);
	/* Interval by interval: GET of one interval is each of its pages'. */
	for (p = m->base; p < end; p = l + 1) {
		KUNIT_ASSERT_EQ(m->test, amdgpu_svm_attr_tree_lookup(&m->tree, p, &a,
								     &istart, &ilast), 0);
		KUNIT_EXPECT_LE(m->test, istart, p);
		KUNIT_EXPECT_GE(m->test, ilast, p);
		l = min(ilast, end - 1);
		tree_get(m, p, l, &got);
		for (s = p; s <= l; s++)
			KUNIT_ASSERT_TRUE_MSG(m->test,
					      !memcmp(&got, &m->pages[s - m->base], sizeof(got)),
					      "page %lu differs from the model after %s",
					      s, m->last_op);
	}

	for (i = 0; i < 3; i++) {
		s = m->base + rnd_below(m, MODEL_PAGES);
		l = s + rnd_below(m, end - s);
		tree_get(m, s, l, &got);
		for (t = 0; t < MODEL_TYPES; t++)
			KUNIT_ASSERT_EQ_MSG(m->test, got.val[t], model_get(m, s, l, t),
					    "GET type %d over [%lu, %lu]", t, s, l);
	}
}

static void model_set_or_reset(struct model *m, bool reset)
{
	struct drm_amdgpu_svm_attribute attrs[6];
	struct model_page *before;
	struct amdgpu_svm_attr_req req;
	unsigned long s, l, p;
	u32 n = 1 + rnd_below(m, ARRAY_SIZE(attrs)), i;

	s = m->base + rnd_below(m, MODEL_PAGES);
	l = s + rnd_below(m, min_t(unsigned long, 128, m->base + MODEL_PAGES - s));
	before = kunit_kmalloc_array(m->test, MODEL_PAGES, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(m->test, before);
	memcpy(before, m->pages, MODEL_PAGES * sizeof(*before));
	memset(m->reported, 0, MODEL_PAGES * sizeof(*m->reported));

	snprintf(m->last_op, sizeof(m->last_op), "%s [%lu, %lu]",
		 reset ? "RESET" : "SET", s, l);
	if (reset) {
		KUNIT_ASSERT_EQ(m->test, amdgpu_svm_attr_tree_reset(&m->tree, s, l,
								    record_change, m), 0);
		for (p = s; p <= l; p++)
			m->pages[p - m->base] = m->defaults;
	} else {
		for (i = 0; i < n; i++) {
			attrs[i].type = rnd_below(m, MODEL_TYPES);
			attrs[i].value = random_value(m, attrs[i].type);
		}
		KUNIT_ASSERT_EQ(m->test, amdgpu_svm_ioctl_parse_attrs(&req, attrs, n), 0);
		KUNIT_ASSERT_EQ(m->test, amdgpu_svm_attr_tree_set(&m->tree, s, l, &req,
								  record_change, m), 0);
		for (p = s; p <= l; p++)
			for (i = 0; i < n; i++)
				model_apply(&m->pages[p - m->base], attrs[i].type,
					    attrs[i].value);
	}
	for (p = 0; p < MODEL_PAGES; p++)
		KUNIT_ASSERT_EQ_MSG(m->test, m->reported[p],
				    model_changes(&before[p], &m->pages[p]),
				    "changes reported for page %lu", m->base + p);
	kunit_kfree(m->test, before);
}

/* CPU unmap: map fresh memory over a span, which drops its attributes. */
static void model_clear(struct model *m)
{
	unsigned long s = m->base + rnd_below(m, MODEL_PAGES), l, p, addr;

	l = s + rnd_below(m, min_t(unsigned long, 64, m->base + MODEL_PAGES - s));
	snprintf(m->last_op, sizeof(m->last_op), "CLEAR [%lu, %lu]", s, l);
	addr = vm_mmap(NULL, s << PAGE_SHIFT, (l - s + 1) << PAGE_SHIFT,
		       PROT_READ | PROT_WRITE, MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_EQ(m->test, addr, s << PAGE_SHIFT);
	for (p = s; p <= l; p++)
		m->pages[p - m->base] = m->defaults;
}

static void attr_matches_model(struct kunit *test)
{
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	u32 seed = amdgpu_svm_test_seed();
	unsigned long p;
	int op;

	KUNIT_ASSERT_NOT_NULL(test, m);
	kunit_info(test, "seed %u (set amdgpu.svm_test_seed= to repeat)\n", seed);
	prandom_seed_state(&m->rnd, seed);
	m->test = test;
	init_tree(test, &m->tree, seed & 1);
	m->base = amdgpu_svm_test_mmap(test, MODEL_PAGES * PAGE_SIZE, PAGE_SIZE) >>
		  PAGE_SHIFT;
	m->pages = kunit_kmalloc_array(test, MODEL_PAGES, sizeof(*m->pages), GFP_KERNEL);
	m->reported = kunit_kmalloc_array(test, MODEL_PAGES, sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->pages);
	KUNIT_ASSERT_NOT_NULL(test, m->reported);
	/* Nothing set yet: the defaults are what GET says of any page. */
	tree_get(m, m->base, m->base + MODEL_PAGES - 1, &m->defaults);
	for (p = 0; p < MODEL_PAGES; p++)
		m->pages[p] = m->defaults;

	for (op = 0; op < MODEL_OPS; op++) {
		u32 kind = rnd_below(m, 10);

		if (kind < 7)
			model_set_or_reset(m, false);
		else if (kind < 9)
			model_set_or_reset(m, true);
		else
			model_clear(m);
		model_check(m);
	}
}

static const struct {
	const char *what;
	u32 type, value;
} invalid_attrs[] = {
	{ "unknown type", AMDGPU_SVM_ATTR_TYPES, 0 },
	{ "huge type", 0xffffffff, 0 },
	{ "access mode 3", AMDGPU_SVM_ATTR_ACCESS, 3 },
	{ "boolean 2", AMDGPU_SVM_ATTR_GPU_RO, 2 },
	{ "boolean all ones", AMDGPU_SVM_ATTR_COHERENT, 0xffffffff },
	{ "location 2", AMDGPU_SVM_ATTR_PREFERRED_LOC, 2 },
	{ "location 0x12345", AMDGPU_SVM_ATTR_PREFETCH_LOC, 0x12345 },
};

#define SNAPSHOT_MAX 32

static struct amdgpu_svm_attr_node *snapshot_alloc(struct kunit *test)
{
	struct amdgpu_svm_attr_node *s;

	s = kunit_kcalloc(test, SNAPSHOT_MAX, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	return s;
}

/* The tree, node by node, to compare before and after. */
static int snapshot(struct amdgpu_svm_attr_tree *tree,
		    struct amdgpu_svm_attr_node *out, int max)
{
	struct rb_node *rb;
	int n = 0;

	mutex_lock(&tree->lock);
	for (rb = rb_first_cached(&tree->root); rb && n < max; rb = rb_next(rb))
		out[n++] = *rb_entry(rb, struct amdgpu_svm_attr_node, it.rb);
	mutex_unlock(&tree->lock);
	return n;
}

static bool snapshots_equal(const struct amdgpu_svm_attr_node *a, int na,
			    const struct amdgpu_svm_attr_node *b, int nb)
{
	int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].it.start != b[i].it.start || a[i].it.last != b[i].it.last ||
		    !attrs_same(&a[i].attrs, &b[i].attrs))
			return false;
	return true;
}

static void set_one(struct kunit *test, struct amdgpu_svm_attr_tree *tree,
		    unsigned long s, unsigned long l, u32 type, u32 value)
{
	struct drm_amdgpu_svm_attribute a = { .type = type, .value = value };
	struct amdgpu_svm_attr_req req;

	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_parse_attrs(&req, &a, 1), 0);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_tree_set(tree, s, l, &req, NULL, NULL), 0);
}

static void attr_rejects_invalid_values(struct kunit *test)
{
	struct amdgpu_svm_attr_node *before, *after;
	struct drm_amdgpu_svm_attribute attrs[2];
	struct amdgpu_svm_attr_tree *tree;
	struct amdgpu_svm_attr_req req;
	int nb, na, i;

	tree = kunit_kzalloc(test, sizeof(*tree), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tree);
	init_tree(test, tree, false);
	before = snapshot_alloc(test);
	after = snapshot_alloc(test);
	set_one(test, tree, 0x1000, 0x10ff, AMDGPU_SVM_ATTR_ACCESS,
		AMDGPU_SVM_ACCESS_IN_PLACE);
	set_one(test, tree, 0x1080, 0x1200, AMDGPU_SVM_ATTR_GPU_RO, 1);
	nb = snapshot(tree, before, SNAPSHOT_MAX);

	for (i = 0; i < ARRAY_SIZE(invalid_attrs); i++) {
		/* A valid attribute first: the whole request must be refused. */
		attrs[0] = (struct drm_amdgpu_svm_attribute) {
			AMDGPU_SVM_ATTR_GPU_EXEC, 1 };
		attrs[1] = (struct drm_amdgpu_svm_attribute) {
			invalid_attrs[i].type, invalid_attrs[i].value };
		KUNIT_EXPECT_EQ_MSG(test, amdgpu_svm_ioctl_parse_attrs(&req, attrs, 2),
				    -EINVAL, "%s", invalid_attrs[i].what);
		attrs[0] = attrs[1];
		if (attrs[0].type >= AMDGPU_SVM_ATTR_TYPES)
			KUNIT_EXPECT_EQ_MSG(test, amdgpu_svm_ioctl_read_attrs(tree, 0x1000,
									      0x1001, attrs, 1),
					    -EINVAL, "GET %s", invalid_attrs[i].what);
		na = snapshot(tree, after, SNAPSHOT_MAX);
		KUNIT_EXPECT_TRUE_MSG(test, snapshots_equal(before, nb, after, na),
				      "%s changed the tree", invalid_attrs[i].what);
	}
	KUNIT_EXPECT_EQ(test, amdgpu_svm_ioctl_parse_attrs(&req, attrs,
							   AMDGPU_SVM_MAX_ATTRS + 1),
			-EINVAL);

	/* Too large a granularity is clamped, not refused. */
	attrs[0] = (struct drm_amdgpu_svm_attribute) { AMDGPU_SVM_ATTR_GRANULARITY, 200 };
	KUNIT_EXPECT_EQ(test, amdgpu_svm_ioctl_parse_attrs(&req, attrs, 1), 0);
	KUNIT_EXPECT_EQ(test, req.val.granularity, AMDGPU_SVM_MAX_GRANULARITY);

	/* The same type twice: the last one wins. */
	attrs[0] = (struct drm_amdgpu_svm_attribute) { AMDGPU_SVM_ATTR_ACCESS, 1 };
	attrs[1] = (struct drm_amdgpu_svm_attribute) { AMDGPU_SVM_ATTR_ACCESS, 2 };
	KUNIT_EXPECT_EQ(test, amdgpu_svm_ioctl_parse_attrs(&req, attrs, 2), 0);
	KUNIT_EXPECT_EQ(test, req.val.access, AMDGPU_SVM_ACCESS_ALLOW_MIGRATE);
}

static void attr_get_folds_mixed_spans(struct kunit *test)
{
	struct drm_amdgpu_svm_attribute get[] = {
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC }, { AMDGPU_SVM_ATTR_ACCESS },
		{ AMDGPU_SVM_ATTR_GRANULARITY }, { AMDGPU_SVM_ATTR_GPU_RO },
		{ AMDGPU_SVM_ATTR_COHERENT },
	};
	struct amdgpu_svm_attr_tree *tree;

	tree = kunit_kzalloc(test, sizeof(*tree), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tree);
	init_tree(test, tree, true);
	set_one(test, tree, 0x100, 0x1ff, AMDGPU_SVM_ATTR_PREFERRED_LOC,
		AMDGPU_SVM_LOCATION_LOCAL);
	set_one(test, tree, 0x100, 0x1ff, AMDGPU_SVM_ATTR_GPU_RO, 1);
	set_one(test, tree, 0x180, 0x2ff, AMDGPU_SVM_ATTR_ACCESS,
		AMDGPU_SVM_ACCESS_IN_PLACE);
	set_one(test, tree, 0x1c0, 0x1c0, AMDGPU_SVM_ATTR_GRANULARITY, 2);

	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, 0x100, 0x1ff, get,
							  ARRAY_SIZE(get)), 0);
	KUNIT_EXPECT_EQ(test, get[0].value, AMDGPU_SVM_LOCATION_LOCAL);
	KUNIT_EXPECT_EQ(test, get[1].value, AMDGPU_SVM_ACCESS_IN_PLACE);
	KUNIT_EXPECT_EQ(test, get[2].value, 2);
	KUNIT_EXPECT_EQ(test, get[3].value, 1);
	KUNIT_EXPECT_EQ(test, get[4].value, 1);

	/* Half of it outside the first SET: defaults mix in. */
	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, 0x180, 0x27f, get,
							  ARRAY_SIZE(get)), 0);
	KUNIT_EXPECT_EQ(test, get[0].value, AMDGPU_SVM_LOCATION_UNDEFINED);
	KUNIT_EXPECT_EQ(test, get[1].value, AMDGPU_SVM_ACCESS_IN_PLACE);
	KUNIT_EXPECT_EQ(test, get[3].value, 0);
	KUNIT_EXPECT_EQ(test, get[4].value, 1);

	/* A hole reads the defaults of the mode (XNACK on here). */
	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, 0x5000, 0x5fff, get,
							  ARRAY_SIZE(get)), 0);
	KUNIT_EXPECT_EQ(test, get[0].value, AMDGPU_SVM_LOCATION_UNDEFINED);
	KUNIT_EXPECT_EQ(test, get[1].value, AMDGPU_SVM_ACCESS_ALLOW_MIGRATE);
	KUNIT_EXPECT_EQ(test, get[2].value, 9);

	KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_tree_reset(tree, 0, 0xfffff, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&tree->nr_nodes), 0);
}

/*
 * Fail the 1st, 2nd, ... allocation of a SET until it succeeds; after each
 * failure the tree must be exactly as before, with no node leaked.
 */
static void set_until_it_succeeds(struct kunit *test,
				  struct amdgpu_svm_attr_tree *tree,
				  unsigned long start, unsigned long last,
				  const struct amdgpu_svm_attr_req *req)
{
	struct amdgpu_svm_attr_node *before = snapshot_alloc(test);
	struct amdgpu_svm_attr_node *after = snapshot_alloc(test);
	int nb = snapshot(tree, before, SNAPSHOT_MAX);
	int nodes = amdgpu_svm_live_read(&tree->nr_nodes);
	int n, na, ret;

	for (n = 1; ; n++) {
		amdgpu_svm_test_fail_alloc(test, n);
		ret = amdgpu_svm_attr_tree_set(tree, start, last, req, NULL, NULL);
		if (!ret)
			break;
		KUNIT_ASSERT_EQ(test, ret, -ENOMEM);
		na = snapshot(tree, after, SNAPSHOT_MAX);
		KUNIT_EXPECT_TRUE_MSG(test, snapshots_equal(before, nb, after, na),
				      "failing allocation %d changed the tree", n);
		KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&tree->nr_nodes), nodes);
		KUNIT_ASSERT_LT(test, n, 64);
	}
	amdgpu_svm_test_fail_alloc(test, 0);
	kunit_info(test, "SET [%#lx, %#lx] succeeded once %d allocations were allowed\n",
		   start, last, n - 1);
	KUNIT_EXPECT_GT(test, n, 1);
	check_invariants(test, tree);
}

static void attr_set_survives_allocation_failure(struct kunit *test)
{
	struct drm_amdgpu_svm_attribute a[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, AMDGPU_SVM_ACCESS_IN_PLACE },
		{ AMDGPU_SVM_ATTR_GPU_EXEC, 1 },
	};
	struct amdgpu_svm_attr_tree *tree;
	struct amdgpu_svm_attr_req req;

	tree = kunit_kzalloc(test, sizeof(*tree), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tree);
	init_tree(test, tree, false);
	/* Holes, intervals that stick out at both ends, one inside. */
	set_one(test, tree, 0x10, 0x2f, AMDGPU_SVM_ATTR_GPU_RO, 1);
	set_one(test, tree, 0x40, 0x4f, AMDGPU_SVM_ATTR_GRANULARITY, 3);
	set_one(test, tree, 0x60, 0x8f, AMDGPU_SVM_ATTR_HIVE_LOCAL, 1);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_parse_attrs(&req, a, ARRAY_SIZE(a)), 0);
	set_until_it_succeeds(test, tree, 0x20, 0x70, &req);
	/* A block far away, so the request also needs a new notifier. */
	set_until_it_succeeds(test, tree, 0x80000 + 5, 0x80000 + 7, &req);
}

/* A tree whose 4 MiB of fresh memory at *@start are all IN_PLACE. */
static struct amdgpu_svm_attr_tree *tree_over_4m_in_place(struct kunit *test,
							  unsigned long *start)
{
	struct amdgpu_svm_attr_tree *tree;
	unsigned long s;

	tree = kunit_kzalloc(test, sizeof(*tree), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tree);
	init_tree(test, tree, false);
	*start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	s = *start >> PAGE_SHIFT;
	set_one(test, tree, s, s + (SZ_4M >> PAGE_SHIFT) - 1,
		AMDGPU_SVM_ATTR_ACCESS, AMDGPU_SVM_ACCESS_IN_PLACE);
	return tree;
}

/*
 * The worker that drops the attributes of unmapped memory has nobody to
 * hand an error to: it says so in the log, naming the span and the errno,
 * and keeps the span for the next request, which drops it.
 */
static void attr_failed_drop_is_reported_and_retried(struct kunit *test)
{
	struct drm_amdgpu_svm_attribute get = { AMDGPU_SVM_ATTR_ACCESS };
	struct amdgpu_svm_attr_tree *tree;
	unsigned long start, s;
	char line[80];
	u64 mark;

	tree = tree_over_4m_in_place(test, &start);
	s = start >> PAGE_SHIFT;

	amdgpu_svm_test_fail_alloc(test, -1);
	mark = amdgpu_svm_test_log_mark();
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_1M), 0);
	flush_work(&tree->unmaps.drain_work);
	amdgpu_svm_test_fail_alloc(test, 0);
	snprintf(line, sizeof(line),
		 "cannot drop the attributes of unmapped pages %#lx-%#lx: -12",
		 s + 256, s + 511);
	KUNIT_EXPECT_TRUE_MSG(test, amdgpu_svm_test_log_has(test, mark, line),
			      "no \"%s\" in the log", line);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&tree->nr_nodes), 1);

	/* The next request drops them first. */
	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, s + 256, s + 511, &get, 1), 0);
	KUNIT_EXPECT_EQ(test, get.value, AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&tree->nr_nodes), 2);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&tree->unmaps.nr_pending), 0);
}

static void attr_dropped_on_munmap(struct kunit *test)
{
	struct drm_amdgpu_svm_attribute get = { AMDGPU_SVM_ATTR_ACCESS };
	struct amdgpu_svm_attr_tree *tree;
	unsigned long start, s;

	tree = tree_over_4m_in_place(test, &start);
	s = start >> PAGE_SHIFT;

	/* Never GPU-mapped: only the tree's own notifier sees this. */
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_1M), 0);
	flush_work(&tree->unmaps.drain_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&tree->unmaps.nr_pending), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&tree->nr_nodes), 2);

	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, s + 256, s + 511, &get, 1), 0);
	KUNIT_EXPECT_EQ(test, get.value, AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, s, s + 255, &get, 1), 0);
	KUNIT_EXPECT_EQ(test, get.value, AMDGPU_SVM_ACCESS_IN_PLACE);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, s + 512, s + 1023, &get, 1), 0);
	KUNIT_EXPECT_EQ(test, get.value, AMDGPU_SVM_ACCESS_IN_PLACE);

	/* A new mapping at once at the same place starts from defaults. */
	KUNIT_ASSERT_EQ(test, vm_munmap(start, SZ_4K), 0);
	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, start, SZ_4K, PROT_READ | PROT_WRITE,
				      MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0),
			start);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, s, s, &get, 1), 0);
	KUNIT_EXPECT_EQ(test, get.value, AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(tree, s + 1, s + 1, &get, 1), 0);
	KUNIT_EXPECT_EQ(test, get.value, AMDGPU_SVM_ACCESS_IN_PLACE);
}

static struct kunit_case amdgpu_svm_attr_cases[] = {
	KUNIT_CASE_SLOW(attr_matches_model),
	KUNIT_CASE(attr_rejects_invalid_values),
	KUNIT_CASE(attr_get_folds_mixed_spans),
	KUNIT_CASE(attr_set_survives_allocation_failure),
	KUNIT_CASE(attr_dropped_on_munmap),
	KUNIT_CASE(attr_failed_drop_is_reported_and_retried),
	{}
};

static struct kunit_suite amdgpu_svm_attr_suite = {
	.name = "amdgpu_svm_attr",
	.test_cases = amdgpu_svm_attr_cases,
};

kunit_test_suite(amdgpu_svm_attr_suite);
