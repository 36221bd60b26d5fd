// ELF64 loader for module images (System V gABI: ELF header, program headers
// PT_LOAD, section headers for .modinfo/.symtab/.strtab).
#include "guest/kernel/module.h"

#include "guest/kernel/annotate.h"
#include "guest/kernel/blkdev.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/manifest.h"
#include "guest/kernel/vm.h"
#include "mmu/arch.h"

using namespace layout;

Module g_modules[MAX_MODULES];

extern "C" const uint8_t* const embedded_modules[];  // modules.S: start, end pairs, null-terminated
extern "C" const char boot_manifest[];               // modules.S: guest/manifest.txt, NUL-terminated
const char* g_manifest = boot_manifest;              // or the boot loader's (modules_load_all)

namespace {

struct Ehdr {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
struct Shdr {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t addralign, entsize;
};
constexpr uint32_t PT_LOAD = 1, PF_X = 1, PF_W = 2, SHT_SYMTAB = 2;

uint64_t g_mono_pdpt;
// Each module's .opnames (kept out of Module: the fastpath indexes g_modules,
// and its size is part of what a call costs).
struct OpNames {
  const char* names;
  uint32_t bytes;
};
OpNames g_opnames[MAX_MODULES];

void add_range(Module& m, uint64_t va, uint32_t n) {
  if (m.nranges == 8) panic("module %s: too many ranges", m.info.name);
  m.ranges[m.nranges++] = {va, n};
  m.tlb_entries += n;
}

void map_user(Module& m, uint64_t va, uint64_t pa, uint64_t flags) {
  if (!pt_map(g_pt, m.pdpt, 3, va, pa, flags | x86::PTE_U)) panic("module %s: map failed", m.info.name);
}

void load_one(const uint8_t* img, uint64_t size) {
  auto* eh = (const Ehdr*)img;
  if (size < sizeof(Ehdr) || memcmp(eh->ident, "\x7F" "ELF", 4) || eh->ident[4] != 2 || eh->machine != 62)
    panic("embedded module is not an ELF64 x86-64 image");
  auto* sh = (const Shdr*)(img + eh->shoff);
  const char* shstr = (const char*)img + sh[eh->shstrndx].offset;
  const abi::ModInfo* info = nullptr;
  const Shdr* symtab = nullptr;
  const Shdr* opnames = nullptr;
  for (unsigned i = 0; i < eh->shnum; ++i) {
    if (kstreq(shstr + sh[i].name, ".modinfo")) info = (const abi::ModInfo*)(img + sh[i].offset);
    if (kstreq(shstr + sh[i].name, ".opnames")) opnames = &sh[i];
    if (sh[i].type == SHT_SYMTAB) symtab = &sh[i];
  }
  if (!info || info->magic != abi::MODINFO_MAGIC || info->id == 0 || info->id >= MAX_MODULES)
    panic("embedded module without a valid .modinfo");
  Module& m = g_modules[info->id];
  if (m.loaded) panic("two modules with id %u", info->id);
  m.info = *info;
  m.entry = eh->entry;
  m.image_pa = v2p((uint64_t)img);
  m.image_size = size;
  if (opnames && opnames->offset + opnames->size <= size)
    g_opnames[info->id] = {(const char*)img + opnames->offset, (uint32_t)opnames->size};
  if (symtab) {
    m.symtab_pa = v2p((uint64_t)(img + symtab->offset));
    m.symtab_size = symtab->size;
    m.strtab_pa = v2p((uint64_t)(img + sh[symtab->link].offset));
    m.strtab_size = sh[symtab->link].size;
  }
  m.pdpt = alloc_zeroed_page();
  uint64_t base = module_base(info->id);
  auto* ph = (const Phdr*)(img + eh->phoff);
  for (unsigned i = 0; i < eh->phnum; ++i) {
    if (ph[i].type != PT_LOAD || ph[i].memsz == 0) continue;
    uint64_t start = ph[i].vaddr & ~0xFFFull, end = (ph[i].vaddr + ph[i].memsz + 0xFFF) & ~0xFFFull;
    if (start < base || end > base + MOD_HEAP) panic("module %s: segment outside its image range", info->name);
    uint64_t flags = (ph[i].flags & PF_W ? x86::PTE_W : 0) | (ph[i].flags & PF_X ? 0 : x86::PTE_NX);
    for (uint64_t va = start; va < end; va += 4096) {
      uint64_t pa = alloc_zeroed_page();
      // copy the file bytes that fall into this page
      for (uint64_t b = 0; b < 4096; ++b) {
        uint64_t v = va + b;
        if (v >= ph[i].vaddr && v < ph[i].vaddr + ph[i].filesz) phys_ptr<uint8_t>(pa)[b] = img[ph[i].offset + (v - ph[i].vaddr)];
      }
      map_user(m, va, pa, flags);
    }
    add_range(m, start, (uint32_t)((end - start) >> 12));
  }
  if (info->heap_pages) {
    for (uint32_t i = 0; i < info->heap_pages; ++i) map_user(m, base + MOD_HEAP + i * 4096ull, alloc_zeroed_page(), x86::PTE_W | x86::PTE_NX);
    add_range(m, base + MOD_HEAP, info->heap_pages);
  }
  m.pd = phys_ptr(m.pdpt)[info->id] & x86::PTE_ADDR;
  m.loaded = true;
}

// The device memory the module's (granted) flags name, at base + MOD_DEVICE.
void map_devices(Module& m) {
  const uint64_t base = module_base(m.info.id);
  if (m.info.flags & abi::MODF_VGA) {
    // VGA text buffer, 80x25x2 bytes in one page, uncached (PCD|PWT).
    map_user(m, base + MOD_DEVICE, 0xB8000, x86::PTE_W | x86::PTE_NX | x86::PTE_PCD | x86::PTE_PWT);
    add_range(m, base + MOD_DEVICE, 1);
  } else if ((m.info.flags & abi::MODF_VIRTIO_BLK) && g_blkdev.present) {
    // The device's registers, uncached, in this module's area and no other.
    // Only the device-specific configuration is the driver's to read; the
    // rest (the queue's addresses, the doorbell, the ISR) is the kernel's,
    // which programs the device for it (blkdev.h: no IOMMU).
    const uint64_t uc = x86::PTE_NX | x86::PTE_PCD | x86::PTE_PWT;
    for (uint32_t off = 0; off < g_blkdev.bar_size; off += 4096) {
      const uint64_t va = base + MOD_DEVICE + off, pa = g_blkdev.bar + off;
      const bool driver_reads = off == (g_blkdev.device & ~0xFFFu) && (g_blkdev.common & ~0xFFFu) != off &&
                                (g_blkdev.notify & ~0xFFFu) != off && (g_blkdev.isr & ~0xFFFu) != off;
      if (driver_reads) map_user(m, va, pa, uc);
      else if (!pt_map(g_pt, m.pdpt, 3, va, pa, uc | x86::PTE_W)) panic("module %s: map failed", m.info.name);
    }
    add_range(m, base + MOD_DEVICE, g_blkdev.bar_size / 4096);
  }
}

uint32_t id_by_name(const char* name, unsigned len) {
  for (uint32_t id = 1; id < MAX_MODULES; ++id) {
    if (!g_modules[id].loaded) continue;
    const char* n = g_modules[id].info.name;
    unsigned i = 0;
    while (i < len && i < sizeof g_modules[id].info.name && n[i] == name[i]) ++i;
    if (i == len && (i == sizeof g_modules[id].info.name || n[i] == 0)) return id;
  }
  return 0;
}

// What each module's own .modinfo asked for, and whether its manifest line
// had a word dropped (kept out of Module, like the op names: see g_opnames).
struct Asked {
  abi::ModInfo info;
  bool line_problem;
};
Asked g_asked[MAX_MODULES];

// Rights from the boot manifest: what the line grants and the module's own
// .modinfo asks for; the rest is refused (manifest_report prints it).
constinit ShmGrants g_shm[MAX_MODULES];
void apply_manifest(Module& m) {
  const Grant g = manifest_grant(g_manifest, m.info.name, id_by_name);
  abi::ModInfo& i = m.info;
  g_asked[i.id] = {i, g.problem != nullptr};
  const bool ports = i.port_count && (i.port_first < g.port_first ||
                                      i.port_first + i.port_count > g.port_first + g.port_count);
  i.calls &= g.calls;
  i.flags &= g.flags;
  for (unsigned k = 0; k < g.nshm; ++k) g_shm[i.id].g[k] = g.shm[k];
  g_shm[i.id].n = g.nshm;
  if (ports) i.port_first = 0, i.port_count = 0;
}
}  // namespace

void manifest_report() {
  bool any = false;
  for (const Module& m : g_modules) {
    if (!m.loaded) continue;
    const Asked& a = g_asked[m.info.id];
    const uint32_t calls = a.info.calls & ~m.info.calls, flags = a.info.flags & ~m.info.flags;
    const bool ports = a.info.port_count && !m.info.port_count;
    const bool listed = manifest_grant(g_manifest, m.info.name, id_by_name).listed;
    if (calls || flags || ports) {
      kprintf("%s%s%s asked for", any ? "; " : "MANIFEST refused: ", m.info.name, listed ? "" : " (not in the manifest)");
      any = true;
      for (uint32_t id = 0; id < MAX_MODULES; ++id)
        if (calls >> id & 1) kprintf(" calls=%s", g_modules[id].loaded ? g_modules[id].info.name : "?");
      if (ports) kprintf(" ports=0x%x-0x%x", a.info.port_first, a.info.port_first + a.info.port_count - 1u);
      if (flags & abi::MODF_VGA) kprintf(" device=vga");
      if (flags & abi::MODF_VIRTIO_BLK) kprintf(" device=virtio-blk");
    }
    if (a.line_problem) {
      kprintf("%smanifest line of %s: a word not understood or not allowed", any ? "; " : "MANIFEST refused: ", m.info.name);
      any = true;
    }
  }
  if (any) kprintf("\n");
}

void modules_load_all(const char* manifest) {
  if (manifest) g_manifest = manifest;
  g_mono_pdpt = alloc_zeroed_page();
  for (unsigned i = 0; embedded_modules[i]; i += 2) load_one(embedded_modules[i], (uint64_t)(embedded_modules[i + 1] - embedded_modules[i]));
  for (auto& m : g_modules) {
    if (!m.loaded) continue;
    apply_manifest(m);
    map_devices(m);
  }
  for (auto& m : g_modules) {
    if (!m.loaded) continue;
    phys_ptr(g_mono_pdpt)[m.info.id] = phys_ptr(m.pdpt)[m.info.id];
    annotate_module(m, g_opnames[m.info.id].names, g_opnames[m.info.id].bytes);
  }
  for (auto& m : g_modules) {
    if (!m.loaded || m.info.port_count) continue;
    for (uint32_t i = 0; i < MAX_MODULES; ++i)
      if ((m.info.calls >> i & 1) && g_modules[i].loaded && !g_modules[i].info.port_count) m.fast_calls |= 1u << i;
  }
}

Module* module_get(uint32_t id) { return id < MAX_MODULES && g_modules[id].loaded ? &g_modules[id] : nullptr; }

const ShmGrants& module_shm_grants(uint32_t id) { return g_shm[id < MAX_MODULES ? id : 0]; }

bool module_add_range(Module& m, uint64_t va, uint32_t npages) {
  for (unsigned r = 0; r < m.nranges; ++r)
    if (m.ranges[r].va == va) return true;
  if (m.nranges == sizeof m.ranges / sizeof m.ranges[0]) return false;
  m.ranges[m.nranges++] = {va, npages};
  return true;
}

void module_remove_range(Module& m, uint64_t va) {
  for (unsigned r = 0; r < m.nranges; ++r)
    if (m.ranges[r].va == va) {
      m.ranges[r] = m.ranges[--m.nranges];
      return;
    }
}

uint32_t module_pages(const Module& m) {
  uint32_t n = 0;
  for (unsigned i = 0; i < m.nranges; ++i) n += m.ranges[i].npages;
  return n;
}

uint64_t monolithic_pdpt() { return g_mono_pdpt; }
