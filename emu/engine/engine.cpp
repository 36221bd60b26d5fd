// Engine construction, the public methods (thin forwards to Impl), stop
// points, memory access and queries.
#include "emu/engine/engine.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "emu/engine/impl.h"
#include "mmu/arch.h"

namespace slot::engine {

// COM1 through the engine: replayed instructions produce the same bytes
// again; only bytes beyond the furthest point reached are printed.
class ReplaySink final : public emu::SerialSink {
 public:
  explicit ReplaySink(Engine::Impl& e) : e_(e) {}
  void put(uint8_t b) override {
    if (e_.know.serial_pos++ < e_.serial_high) return;
    ++e_.serial_high;
    if (inner) inner->put(b);
  }
  void flush() override {
    if (inner) inner->flush();
  }
  std::unique_ptr<emu::SerialSink> inner;

 private:
  Engine::Impl& e_;
};

Engine::Impl::Impl(const EngineConfig& c)
    : cfg(c), m(c.machine), port([this](uint32_t v, unsigned size) { on_ann_dword(v, size); }) {
  if (cfg.snapshot_interval == 0) cfg.snapshot_interval = 1;
  if (cfg.chunk == 0) cfg.chunk = 1;
  m.board().ports().map(ann::ANN_PORT, ann::ANN_PORT + 3, &port);
  m.cpu().set_observer(this);
  m.add_write_listener([this](mmu::PhysAddr pa, unsigned len) { on_write(pa, len); });
  roles.assign((m.mem().size() + 4095) / 4096, 0);
  auto rs = std::make_unique<ReplaySink>(*this);
  sink = rs.get();
  m.board().set_serial_sink(std::move(rs));
  next_snap_at = cfg.time_travel ? 0 : ~0ull;
}

Engine::Impl::~Impl() {
  m.cpu().set_observer(nullptr);
  m.mmu().set_observer(nullptr);
}

bool Engine::Impl::read_virt(uint64_t va, void* out, size_t n) const {
  auto* o = static_cast<uint8_t*>(out);
  const bool paging = m.mmu().mode().cr0 & x86::CR0_PG;
  while (n) {
    mmu::PhysAddr pa = va;
    if (paging && !m.mmu().peek_translate(va, pa)) return false;
    const size_t part = std::min<size_t>(n, 4096 - (va & 0xFFF));
    for (size_t i = 0; i < part; ++i) o[i] = uint8_t(m.mem().read(pa + i, 1));
    o += part, va += part, n -= part;
  }
  return true;
}

Engine::Engine(const EngineConfig& cfg) : impl_(std::make_unique<Impl>(cfg)) { impl_->self = this; }

Engine::~Engine() {
  if (impl_->threaded) stop_thread();
}

void Engine::load_kernel(const std::string& path) {
  impl_->m.load_kernel(path);
  std::ifstream f(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  impl_->syms.load_kernel(bytes);
  if (impl_->cfg.time_travel) impl_->take_snapshot();
}

void Engine::set_serial_sink(std::unique_ptr<emu::SerialSink> sink) { impl_->sink->inner = std::move(sink); }

StopInfo Engine::step(StepKind kind) { return impl_->step(kind); }
StopInfo Engine::cont(uint64_t max_insns) { return impl_->cont(max_insns); }
StopInfo Engine::reverse_step() { return impl_->reverse_step(); }
StopInfo Engine::reverse_cont() { return impl_->reverse_cont(); }
StopInfo Engine::back_to_call() { return impl_->back_to_call(); }
StopInfo Engine::goto_icount(uint64_t icount) { return impl_->goto_icount(icount); }
void Engine::pause() {
  // A reverse search runs many times (one replay per snapshot interval): a
  // pause between two of them must end it too.
  if (impl_->running || impl_->searching_back) impl_->pause_flag = true;
}

// ---- stop points ----------------------------------------------------------------

int Engine::add_point(const StopPoint& p) {
  Impl& e = *impl_;
  StopPoint q = p;
  if (q.kind == PointKind::Write || q.kind == PointKind::WritePhys) {
    if (q.len == 0) throw std::runtime_error("a watchpoint needs a length");
    std::vector<Impl::WatchRange> ranges;
    for (uint64_t a = q.addr; a < q.addr + q.len;) {
      const uint64_t part = std::min(q.addr + q.len - a, 4096 - (a & 0xFFF));
      mmu::PhysAddr pa = a;
      if (q.kind == PointKind::Write && (e.m.mmu().mode().cr0 & x86::CR0_PG) && !e.m.mmu().peek_translate(a, pa))
        throw std::runtime_error("watchpoint address is not mapped in the current address space");
      ranges.push_back({0, pa, part});
      a += part;
    }
    const int id = e.next_point++;
    for (auto& r : ranges) {
      r.id = id;
      e.watches.push_back(r);
      e.watch_page(r.pa, R_WATCH);
    }
    e.points[id] = q;
    return id;
  }
  const int id = e.next_point++;
  e.points[id] = q;
  e.update_mmu_observer();
  return id;
}

bool Engine::remove_point(int id) {
  Impl& e = *impl_;
  if (!e.points.erase(id)) return false;
  std::erase_if(e.watches, [&](const Impl::WatchRange& w) { return w.id == id; });
  for (uint64_t p = 0; p < e.roles.size(); ++p)
    if (e.roles[p] & R_WATCH) e.unwatch_page(p << 12, R_WATCH);
  for (const auto& w : e.watches) e.watch_page(w.pa, R_WATCH);
  e.update_mmu_observer();
  return true;
}

std::vector<std::pair<int, StopPoint>> Engine::points() const {
  return {impl_->points.begin(), impl_->points.end()};
}

int Engine::add_symbol_breakpoint(const std::string& spec) {
  uint32_t module = kNone;
  const auto addr = impl_->syms.find(spec, module);
  if (!addr) throw std::runtime_error("unknown symbol '" + spec + "'");
  StopPoint p = StopPoint::exec(*addr);
  p.module = module;
  p.label = spec;
  return add_point(p);
}

// ---- queries ---------------------------------------------------------------------

const std::vector<Event>& Engine::events() const { return impl_->hist.events; }
const std::vector<CallRecord>& Engine::calls() const { return impl_->hist.calls; }
const std::vector<HistoryPoint>& Engine::history() const { return impl_->hist.points; }
size_t Engine::cursor() const { return impl_->cursor; }
std::vector<AddressSpace> Engine::spaces() const { return impl_->know.spaces; }
uint32_t Engine::current_task() const { return impl_->task_of_cr3(impl_->cur_cr3()); }

std::vector<ModuleInfo> Engine::modules() const {
  std::vector<ModuleInfo> out;
  for (const auto& [id, mi] : impl_->know.modules) out.push_back(mi);
  return out;
}

std::vector<TaskInfo> Engine::tasks() const {
  std::vector<TaskInfo> out;
  for (const auto& [id, t] : impl_->know.tasks) out.push_back(t);
  return out;
}

std::vector<SpaceView> Engine::pml4_at_point(size_t point) const {
  const auto& h = impl_->hist;
  if (point >= h.points.size()) return {};
  return impl_->pml4_at(h.points[point].event + 1, h.points[point].slot_log_end);
}

std::vector<SpaceView> Engine::pml4_before_call(size_t k) const {
  const auto& h = impl_->hist;
  if (k >= h.calls.size()) return {};
  // At the task's entry into the kernel for this call (or, unknown, at the
  // call itself): slot changes logged before that event.
  const size_t at = h.calls[k].before_event != kNoIndex ? h.calls[k].before_event : h.calls[k].enter_event;
  size_t slot_end = 0;
  while (slot_end < h.slots.size() && h.slots[slot_end].event < at) ++slot_end;
  return impl_->pml4_at(at + 1, slot_end);
}

std::vector<SpaceView> Engine::pml4_at_call(size_t k) const {
  const auto& h = impl_->hist;
  if (k >= h.calls.size()) return {};
  return pml4_at_point(h.events[h.calls[k].enter_event].c);
}

std::vector<SpaceView> Engine::pml4_now() const {
  std::vector<SpaceView> out;
  for (const AddressSpace& as : impl_->know.spaces) {
    SpaceView v;
    v.cr3 = as.cr3, v.task = as.task, v.module = as.module, v.name = as.name;
    for (unsigned s = 0; s < 512; ++s) {
      const uint64_t e = impl_->m.mem().read(as.pml4 + 8 * s, 8);
      if (e & x86::PTE_P) v.slots.push_back({uint16_t(s), e});
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<TaskStackView> Engine::stacks_at_point(size_t point) const { return impl_->stacks_at(point); }

std::vector<TaskStackView> Engine::stacks_at_call(size_t k) const {
  const auto& h = impl_->hist;
  if (k >= h.calls.size()) return {};
  return impl_->stacks_at(h.events[h.calls[k].enter_event].c);
}

std::string Engine::symbolize(uint64_t va) const { return impl_->syms.describe(va, impl_->module_in_slot()); }

std::optional<uint64_t> Engine::symbol_address(const std::string& spec, uint32_t* module) const {
  uint32_t mod = kNone;
  auto a = impl_->syms.find(spec, mod);
  if (module) *module = mod;
  return a;
}

std::string Engine::module_name(uint32_t id) const {
  auto it = impl_->hist.module_names.find(id);
  if (it != impl_->hist.module_names.end()) return it->second;
  return id == kNone ? "-" : "module" + std::to_string(id);
}

std::string op_label(const std::string& module, const std::vector<std::string>* op_names, uint32_t op) {
  if (op_names && op < op_names->size() && !(*op_names)[op].empty()) return module + "." + (*op_names)[op];
  return module + ".op" + std::to_string(op);
}

std::string Engine::op_label(uint32_t module, uint32_t op) const {
  const auto it = impl_->hist.op_names.find(module);
  return engine::op_label(module_name(module), it == impl_->hist.op_names.end() ? nullptr : &it->second, op);
}

std::string Engine::task_name(uint32_t id, size_t at_event) const {
  if (const auto* life = impl_->task_life(id, at_event)) return life->second;
  if (at_event == kNoIndex)
    if (auto it = impl_->hist.task_names.find(id); it != impl_->hist.task_names.end()) return it->second;
  return id == kNone ? "-" : "task" + std::to_string(id);
}

size_t Engine::task_incarnation(uint32_t id, size_t at_event) const {
  const auto* life = impl_->task_life(id, at_event);
  return life ? life->first : kNoIndex;
}

// ---- machine access ----------------------------------------------------------------

emu::Machine& Engine::machine() { return impl_->m; }
const emu::Machine& Engine::machine() const { return impl_->m; }
uint64_t Engine::icount() const { return impl_->m.cpu().icount(); }
uint64_t Engine::insns_per_second() const { return impl_->m.board().clock().insns_per_second(); }
const std::string& Engine::tlb_model() const { return impl_->m.config().tlb; }
bool Engine::read_virt(uint64_t va, void* out, size_t n) const { return impl_->read_virt(va, out, n); }

bool Engine::read_phys(uint64_t pa, void* out, size_t n) const {
  auto* o = static_cast<uint8_t*>(out);
  const auto& mem = impl_->m.mem();
  if (pa >= mem.size() || n > mem.size() - pa) return false;
  for (size_t i = 0; i < n; ++i) o[i] = uint8_t(mem.read(pa + i, 1));
  return true;
}

bool Engine::write_phys(uint64_t pa, const void* in, size_t n) {
  auto& mem = impl_->m.mem();
  if (pa >= mem.size() || n > mem.size() - pa) return false;
  const auto* b = static_cast<const uint8_t*>(in);
  for (size_t i = 0; i < n; ++i) mem.write(pa + i, 1, b[i]);  // through the listeners (code cache, COW)
  impl_->flush_pending();
  state_edited();
  return true;
}

bool Engine::write_virt(uint64_t va, const void* in, size_t n) {
  const bool paging = impl_->m.mmu().mode().cr0 & x86::CR0_PG;
  std::vector<std::pair<uint64_t, size_t>> parts;
  for (uint64_t a = va, left = n; left;) {
    mmu::PhysAddr pa = a;
    if (paging && !impl_->m.mmu().peek_translate(a, pa)) return false;
    const size_t part = std::min<size_t>(left, 4096 - (a & 0xFFF));
    parts.emplace_back(pa, part);
    a += part, left -= part;
  }
  const auto* b = static_cast<const uint8_t*>(in);
  for (const auto& [pa, len] : parts) {
    if (!write_phys(pa, b, len)) return false;
    b += len;
  }
  return true;
}

void Engine::state_edited() { impl_->state_edited(); }
std::string Engine::snapshot_message() const { return impl_->tt_message; }
uint64_t Engine::snapshot_bytes() const { return impl_->snap_bytes; }
uint64_t Engine::oldest_reachable_icount() const {
  return impl_->snaps.empty() ? impl_->m.cpu().icount() : impl_->snaps.front().icount;
}

}  // namespace slot::engine
