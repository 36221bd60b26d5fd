#include "ui/app/headless.h"

#include <SDL.h>
#include <stb_image_write.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "emu/io/output_file.h"
#include "ui/app/app.h"
#include "ui/model/memory_vm.h"

namespace slot::ui {

bool App::capture(std::vector<uint8_t>& rgba, int& w, int& h, int frames) {
  for (int i = 0; i < frames; ++i) {
    // Each frame's panels say what they need; the next gather reads it.
    Requests r = req_;
    base_requests(ui_, s_.frame(), r);
    s_.sync(r);
    render(false);
  }
  if (SDL_GetRendererOutputSize(ren_, &w, &h) != 0) return false;
  rgba.assign(size_t(w) * size_t(h) * 4, 0);
  return SDL_RenderReadPixels(ren_, nullptr, SDL_PIXELFORMAT_ABGR8888, rgba.data(), w * 4) == 0;
}

bool render_headless(engine::Engine& e, std::shared_ptr<SerialLog> log, const HeadlessOptions& o, Image& out,
                     std::string& err) {
  Session s(e, std::move(log), /*threaded=*/false);
  AppOptions ao;
  ao.headless = true;
  ao.width = o.width;
  ao.height = o.height;
  ao.font_scale = o.font_scale;
  ao.only_panel = o.panel;
  ao.open_mask = o.open_mask;
  App app(s, ao);
  if (!app.init(err)) return false;
  const cpu::CpuState regs = e.make_view().regs;
  uint64_t va = regs.rip;
  if (!o.walk.empty() && !parse_address(o.walk, regs, va)) {
    err = "--walk: not an address: " + o.walk;
    return false;
  }
  app.ui().show_walk(va);
  if (!app.capture(out.rgba, out.w, out.h)) {
    err = std::string("cannot read the frame back: ") + SDL_GetError();
    return false;
  }
  return true;
}

bool write_png(const Image& img, const std::string& path, std::string& err) {
  // Opaque RGB is a third smaller than RGBA and the frame has no alpha.
  std::vector<uint8_t> rgb(size_t(img.w) * size_t(img.h) * 3);
  for (size_t i = 0, n = size_t(img.w) * size_t(img.h); i < n; ++i)
    std::memcpy(&rgb[i * 3], &img.rgba[i * 4], 3);
  stbi_write_png_compression_level = 9;
  // All or nothing (emu/io/output_file.h): a full disk leaves no PNG without
  // its end chunk.
  try {
    emu::OutputFile out(path, "screenshot");
    if (!stbi_write_png_to_func([](void* ctx, void* data, int n) {
          static_cast<emu::OutputFile*>(ctx)->write(std::string(static_cast<const char*>(data), size_t(n)));
        }, &out, img.w, img.h, 3, rgb.data(), img.w * 3)) {
      err = "cannot encode the PNG for " + path;
      return false;
    }
    err = out.commit();
  } catch (const std::exception& ex) {
    err = ex.what();
  }
  return err.empty();
}

size_t non_background_pixels(const Image& img) {
  std::unordered_map<uint32_t, size_t> count;
  const size_t n = size_t(img.w) * size_t(img.h);
  for (size_t i = 0; i < n; ++i) {
    uint32_t px;
    std::memcpy(&px, &img.rgba[i * 4], 4);
    ++count[px];
  }
  size_t top = 0;
  for (const auto& [px, c] : count) top = std::max(top, c);
  return n - top;
}

size_t differing_pixels(const Image& a, const Image& b) {
  if (a.w != b.w || a.h != b.h) return size_t(-1);
  size_t d = 0;
  for (size_t i = 0; i + 3 < a.rgba.size(); i += 4) d += std::memcmp(&a.rgba[i], &b.rgba[i], 4) != 0;
  return d;
}

}  // namespace slot::ui
