// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DRM_AMDGPU_GEM_SVM through an amdgpu render node: attribute round trips,
 * mixed-span answers, the errno of every invalid argument, attributes
 * dropped by munmap, a forked child refused, and an overlap with a GEM VA
 * mapping refused.  Each case is skipped, with the reason, where there is
 * no amdgpu device or the kernel lacks the ioctl.  libdrm_amdgpu tells
 * which render node is an amdgpu; the ioctl's definitions come from the
 * kernel's exported headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/amdgpu_drm.h>
#include <amdgpu.h>

#include "../../kselftest_harness.h"

#define MEM_SIZE	(4u << 20)
#define PAGE		4096u

/* Whether libdrm_amdgpu accepts the DRM device behind @fd as an amdgpu. */
static int is_amdgpu(int fd)
{
	amdgpu_device_handle dev;
	uint32_t major, minor;

	if (amdgpu_device_initialize(fd, &major, &minor, &dev))
		return 0;
	amdgpu_device_deinitialize(dev);
	return 1;
}

/* The first amdgpu render node (renderD128 to renderD191), opened, or -1. */
static int open_amdgpu_render_node(void)
{
	char path[32];
	int minor, fd;

	for (minor = 128; minor < 192; minor++) {
		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_amdgpu(fd))
			return fd;
		close(fd);
	}
	return -1;
}

static int svm(int fd, uint32_t op, void *start, uint64_t size,
	       struct drm_amdgpu_svm_attribute *attrs, uint32_t nattr)
{
	struct drm_amdgpu_gem_svm args = {
		.start_addr = (uintptr_t)start,
		.size = size,
		.operation = op,
		.nattr = nattr,
		.attrs_ptr = (uintptr_t)attrs,
	};

	return ioctl(fd, DRM_IOCTL_AMDGPU_GEM_SVM, &args) ? -errno : 0;
}

static uint32_t get_one(int fd, void *start, uint64_t size, uint32_t type)
{
	struct drm_amdgpu_svm_attribute a = { .type = type };

	if (svm(fd, AMDGPU_SVM_OP_GET_ATTR, start, size, &a, 1))
		return 0xdeadbeef;
	return a.value;
}

FIXTURE(svm) {
	int fd;
	char *mem;
};

FIXTURE_SETUP(svm)
{
	self->mem = MAP_FAILED;
	self->fd = open_amdgpu_render_node();
	if (self->fd < 0)
		SKIP(return, "no amdgpu render node");
	self->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	if (svm(self->fd, AMDGPU_SVM_OP_RESET_ATTR, self->mem, PAGE, NULL, 0))
		SKIP(return, "the kernel has no DRM_AMDGPU_GEM_SVM");
}

FIXTURE_TEARDOWN(svm)
{
	if (self->mem != MAP_FAILED)
		munmap(self->mem, MEM_SIZE);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(svm, round_trip)
{
	struct drm_amdgpu_svm_attribute set[] = {
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC, AMDGPU_SVM_LOCATION_SYSMEM },
		{ AMDGPU_SVM_ATTR_GPU_RO, 1 },
		{ AMDGPU_SVM_ATTR_GRANULARITY, 4 },
	};

	ASSERT_EQ(0, svm(self->fd, AMDGPU_SVM_OP_SET_ATTR, self->mem, MEM_SIZE, set, 3));
	EXPECT_EQ(AMDGPU_SVM_LOCATION_SYSMEM,
		  get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_PREFERRED_LOC));
	EXPECT_EQ(1, get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_GPU_RO));
	EXPECT_EQ(4, get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_GRANULARITY));
	ASSERT_EQ(0, svm(self->fd, AMDGPU_SVM_OP_RESET_ATTR, self->mem, MEM_SIZE, NULL, 0));
	EXPECT_EQ(0, get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_GPU_RO));
	EXPECT_EQ(AMDGPU_SVM_LOCATION_UNDEFINED,
		  get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_PREFERRED_LOC));
}

TEST_F(svm, mixed_span)
{
	struct drm_amdgpu_svm_attribute a[] = {
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC, AMDGPU_SVM_LOCATION_SYSMEM },
		{ AMDGPU_SVM_ATTR_GPU_EXEC, 1 },
		{ AMDGPU_SVM_ATTR_GRANULARITY, 2 },
	};

	ASSERT_EQ(0, svm(self->fd, AMDGPU_SVM_OP_SET_ATTR, self->mem, MEM_SIZE / 2, a, 3));
	EXPECT_EQ(AMDGPU_SVM_LOCATION_UNDEFINED,
		  get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_PREFERRED_LOC));
	EXPECT_EQ(0, get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_GPU_EXEC));
	EXPECT_EQ(2, get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_GRANULARITY));
	EXPECT_EQ(1, get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_COHERENT));
}

TEST_F(svm, invalid_arguments)
{
	static const struct {
		const char *what;
		int err;
		uint32_t op, type, value, nattr;
		uint64_t offset, size;
	} bad[] = {
#define SVM_BAD_UNIT	PAGE
#define SVM_BAD_END	MEM_SIZE
#define SVM_BAD_REQUEST(what, err, op, type, value, nattr, start, size) \
		{ what, -(err), op, type, value, nattr, start, size },
#include "amdgpu_svm_bad_requests.h"
#undef SVM_BAD_REQUEST
	};
	struct drm_amdgpu_svm_attribute a;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		a = (struct drm_amdgpu_svm_attribute){ bad[i].type, bad[i].value };
		EXPECT_EQ(bad[i].err, svm(self->fd, bad[i].op, self->mem + bad[i].offset,
					  bad[i].size, &a, bad[i].nattr))
			TH_LOG("%s", bad[i].what);
	}
	EXPECT_EQ(-EFAULT, svm(self->fd, AMDGPU_SVM_OP_SET_ATTR, self->mem, PAGE,
			       (void *)16, 1));
	EXPECT_EQ(0, get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_GPU_RO));
}

TEST_F(svm, dropped_after_munmap)
{
	struct drm_amdgpu_svm_attribute a = { AMDGPU_SVM_ATTR_GPU_RO, 1 };
	char *p;

	ASSERT_EQ(0, svm(self->fd, AMDGPU_SVM_OP_SET_ATTR, self->mem, MEM_SIZE, &a, 1));
	ASSERT_EQ(0, munmap(self->mem, PAGE));
	p = mmap(self->mem, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(self->mem, p);
	EXPECT_EQ(0, get_one(self->fd, self->mem, PAGE, AMDGPU_SVM_ATTR_GPU_RO));
	EXPECT_EQ(1, get_one(self->fd, self->mem + PAGE, PAGE, AMDGPU_SVM_ATTR_GPU_RO));
}

TEST_F(svm, forked_child_refused)
{
	struct drm_amdgpu_svm_attribute a = { AMDGPU_SVM_ATTR_GPU_RO, 1 };
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(svm(self->fd, AMDGPU_SVM_OP_SET_ATTR, self->mem, PAGE, &a, 1) ==
		      -EPERM ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, get_one(self->fd, self->mem, PAGE, AMDGPU_SVM_ATTR_GPU_RO));
}

/* A GEM BO mapped through GEM_VA at @va, or a negative errno. */
static int gem_va_map(int fd, uint64_t va, uint32_t *handle)
{
	union drm_amdgpu_gem_create create = {
		.in = { .bo_size = PAGE, .alignment = PAGE,
			.domains = AMDGPU_GEM_DOMAIN_GTT },
	};
	struct drm_amdgpu_gem_va map = {
		.operation = AMDGPU_VA_OP_MAP,
		.flags = AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE,
		.va_address = va,
		.map_size = PAGE,
	};

	if (ioctl(fd, DRM_IOCTL_AMDGPU_GEM_CREATE, &create))
		return -errno;
	*handle = create.out.handle;
	map.handle = *handle;
	return ioctl(fd, DRM_IOCTL_AMDGPU_GEM_VA, &map) ? -errno : 0;
}

TEST_F(svm, gem_va_overlap_refused)
{
	struct drm_amdgpu_svm_attribute a = { AMDGPU_SVM_ATTR_GPU_RO, 1 };
	uint64_t va = (uintptr_t)self->mem + MEM_SIZE / 2;
	struct drm_gem_close close_bo = {};
	int ret;

	ret = gem_va_map(self->fd, va, &close_bo.handle);
	if (ret)
		SKIP(return, "cannot map a GEM BO at the test's address: %d", ret);
	EXPECT_EQ(-EADDRINUSE, svm(self->fd, AMDGPU_SVM_OP_SET_ATTR, self->mem,
				   MEM_SIZE, &a, 1));
	EXPECT_EQ(0, get_one(self->fd, self->mem, MEM_SIZE, AMDGPU_SVM_ATTR_GPU_RO));
	EXPECT_EQ(0, svm(self->fd, AMDGPU_SVM_OP_SET_ATTR, self->mem, MEM_SIZE / 2,
			 &a, 1));
	ioctl(self->fd, DRM_IOCTL_GEM_CLOSE, &close_bo);
}

TEST_HARNESS_MAIN
