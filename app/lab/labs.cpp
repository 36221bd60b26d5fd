#include "app/lab/labs.h"

#include <unistd.h>

#include <climits>

namespace slot::lab {

const std::vector<Lab>& labs() {
  static const std::vector<Lab> table = {
      {1, "module-call", "Anatomy of a module call",
       "See a cross-module call rewrite one PML4 entry (slot 1) of the calling task and of no other task, and "
       "find the caller's buffer in the callee's window in the task-private area (slot 2).",
       "1. Press F8 (next module call): the machine stops at the first call, app -> fs.\n"
       "2. PML4 slots per task: the running task's row (>) shows fs in slot 1, framed yellow with *.\n"
       "3. The other client's row still shows app in slot 1: its PML4 was not touched.\n"
       "4. Events: slot_change PML4[1] (app's PDPT -> fs's PDPT), then cr3_load with the same PML4, then call.\n"
       "5. Page walk: 0x10041000000, where fs sees the app's buffer (the depth-1 window in slot 2).\n"
       "6. Type the app's buffer address (0x8040...) into the page walk: it ends at the PDPTE, not mapped.",
       "workload=demo flush=cr3", "skylake", "", {}, "slots,calls,registers,walk,events,disassembly",
       "0x10041000000"},
      {2, "missing-invalidation", "The missing invalidation",
       "Boot with flush=none, catch the stale translation the kernel's missing INVLPG leaves behind, explain "
       "why the SDM allows it, and compare the two fixes.",
       "1. A breakpoint on the event `stale` is set. Press F5.\n"
       "2. The machine stops in evil (module 5) reading the app's secret at 0x8040...: attack read_caller_module.\n"
       "3. Page walk of that address: memory says not present at the PDPTE; the TLB line says STALE.\n"
       "4. Events: the last slot_change PML4[1] had no cr3_load or invlpg after it.\n"
       "5. Console: ATTACK read_caller_module: BREACH.\n"
       "6. Quit; run `slotlab lab 2 --check` to compare flush=cr3 and flush=invlpg with none.",
       "workload=attacks flush=none", "skylake", "", {"event:stale"}, "slots,walk,tlb,events,registers,console", ""},
      {3, "flush-or-tag", "Flush or tag",
       "Measure flush=cr3, flush=invlpg and flush=pcid over the callee's working set (1 to 512 pages) and "
       "predict where tagging stops paying before you measure.",
       "1. Write down your prediction: at which working set does pcid lose its advantage?\n"
       "2. Press F5 and watch the TLB panel's plot (L1 misses per 1000 instructions between calls).\n"
       "3. Quit; run `slotlab lab 3 --check` (all three variants) and `... --tlb tiny`.\n"
       "4. Compare the walks per call with your prediction.",
       "workload=bench flush=pcid", "skylake", "", {}, "calls,tlb,events,slots", ""},
      {4, "breaking-isolation", "Breaking isolation",
       "Attack the kernel from a hostile module: watch the page fault, its error code and the kernel's "
       "recovery; then try to read the caller's stack.",
       "1. A breakpoint on exception 14 (#PF) is set. Press F5.\n"
       "2. Registers: CR2 is the address evil touched; Events: the exception row has the error code.\n"
       "3. Decode the error code (P W/R U/S RSVD I/D) and the page walk of CR2.\n"
       "4. Shift+F8 (finish the call): the call returns E_FAULT (-5) to the app; the kernel lives on.\n"
       "5. F5 until the fault of read_caller_stack: CR2 is in the private area (slot 2), stack window 0.\n"
       "6. Build your own hostile module: docs/teaching/lab4-breaking-isolation.md.",
       "workload=attacks", "skylake", "", {"event:exception:14"}, "calls,registers,events,walk,disassembly,console",
       ""},
      {5, "three-kernels", "IPC vs module area vs monolithic",
       "Run the same workload on the three kernels and explain from the traces why they cost what they cost.",
       "1. Press F5; the demo runs to its end. Note the calls panel and the events (cr3_load, slot_change).\n"
       "2. Quit; run `slotlab lab 5 --check`: the three kernels side by side.\n"
       "3. Start the debugger for the other kernels: `slotlab lab 5 --cmdline mode=ipc`, `mode=monolithic`.\n"
       "4. `slotlab trace KERNEL --calls --cmdline \"workload=demo mode=ipc\"`: read the wall costs.",
       "workload=demo mode=modarea", "skylake", "", {}, "slots,calls,events,tlb", ""},
      {6, "page-walk", "Page walks by hand",
       "Decode a 4-level page walk from a trace by hand, then check it against the page-walk panel.",
       "1. F8 three times: app -> fs FS_READ passes a buffer; the page walk shows its window 0x10041000000.\n"
       "2. Split the address into four 9-bit indices and the page offset (cheatsheet).\n"
       "3. Read CR3 in Registers; entry address = table base + 8 x index, level by level (Memory, physical).\n"
       "4. Compare each of your entries with the panel's rows.\n"
       "5. Do the same from a trace: docs/teaching/lab6-page-walk.md.",
       "workload=demo", "skylake", "", {}, "walk,memory,registers,slots", "0x10041000000"},
      {7, "custom-tlb", "Customising the TLB model",
       "Describe a TLB of your own in a file, run the same workload on it and on the presets, and explain the "
       "difference in walks.",
       "1. Copy docs/teaching/lab7/small-stlb.tlb and edit it (docs/mmu.md section 4).\n"
       "2. `slotlab lab 7 --tlb my.tlb`: the TLB panel shows your arrays.\n"
       "3. `slotlab lab 7 --check --tlb my.tlb`: walks per call on skylake, yours and tiny.\n"
       "4. Break the file on purpose: the error names the file and line.",
       "workload=demo", "tiny", "call:3", {}, "tlb,walk,calls,slots", ""},
  };
  return table;
}

const Lab* find_lab(int number) {
  for (const Lab& l : labs())
    if (l.number == number) return &l;
  return nullptr;
}

// <dir of this executable>/guest/slotlab-guest.elf: build/slotlab next to build/guest/.
std::string default_kernel() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "guest/slotlab-guest.elf";
  std::string exe(buf, size_t(n));
  return exe.substr(0, exe.rfind('/') + 1) + "guest/slotlab-guest.elf";
}

}  // namespace slot::lab
