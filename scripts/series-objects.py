#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the x86_64 objects whose code depends on the series' options.

    scripts/series-objects.py SVM HSA        (each y or n)

The C files the series adds or patches under drivers/gpu/drm/amd, outside
the KUnit tests: with CONFIG_DRM_AMDGPU_SVM and CONFIG_HSA_AMD as given,
these are the files whose compiled code the series changes (the SVM files
themselves, the hooks and their stubs, KFD's side). SVM files are left out
when SVM is off, KFD files when KFD is off: neither is built then. KFD's
objects are built from the amdgpu directory, so they are named through it.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import series  # noqa: E402

SVM_ONLY_KFD = {"kfd_svm.c", "kfd_migrate.c"}
# Built only with DEVICE_PRIVATE, off in x86_64 defconfig (as for KFD's
# SVM): the x86_64 KUnit kernel compiles them; here the stubs are built.
DEVICE_PRIVATE_ONLY = {"amdgpu_svm_vram.c", "amdgpu_svm_sdma.c"}

svm, hsa = sys.argv[1:3]
seen = set()
for p in series.parse():
    for name in p.files:
        name = name[:-len(".patch")] if name.endswith(".patch") else name
        base = os.path.basename(name)
        if (not name.endswith(".c") or "/tests/" in name or
                not name.startswith("drivers/gpu/drm/amd/")):
            continue
        if (svm == "n" and base.startswith("amdgpu_svm")) or base in DEVICE_PRIVATE_ONLY:
            continue
        if "/amdkfd/" in name:
            # kfd_svm.c is built only with HSA_AMD_SVM, which needs
            # DEVICE_PRIVATE, off in x86_64 defconfig: the x86_64 KUnit
            # kernel compiles it.
            if hsa == "n" or base in SVM_ONLY_KFD:
                continue
            obj = "drivers/gpu/drm/amd/amdgpu/../amdkfd/" + base[:-2] + ".o"
        else:
            obj = name[:-2] + ".o"
        if obj not in seen:
            seen.add(obj)
            print(obj)
