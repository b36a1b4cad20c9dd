// A small PNG reader (8-bit greyscale, RGB or RGBA, not interlaced): enough
// for comparing screenshots without a package. Pixels come back as RGBA.
import fs from "node:fs";
import zlib from "node:zlib";

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export const PNG = {
  read(file) {
    const buf = fs.readFileSync(file);
    if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error(`${file}: not a PNG`);
    let pos = 8, width = 0, height = 0, depth = 0, type = 0, interlace = 0;
    const idat = [];
    while (pos < buf.length) {
      const len = buf.readUInt32BE(pos);
      const kind = buf.toString("ascii", pos + 4, pos + 8);
      const body = buf.subarray(pos + 8, pos + 8 + len);
      if (kind === "IHDR") {
        width = body.readUInt32BE(0); height = body.readUInt32BE(4);
        depth = body[8]; type = body[9]; interlace = body[12];
      } else if (kind === "IDAT") idat.push(body);
      else if (kind === "IEND") break;
      pos += 12 + len;
    }
    const channels = { 0: 1, 2: 3, 6: 4 }[type];
    if (depth !== 8 || !channels || interlace) throw new Error(`${file}: PNG of depth ${depth}, type ${type}, interlace ${interlace} not read here`);
    const raw = zlib.inflateSync(Buffer.concat(idat));
    const stride = width * channels;
    const px = Buffer.alloc(stride * height);
    for (let y = 0; y < height; y++) {
      const f = raw[y * (stride + 1)];
      const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
      for (let x = 0; x < stride; x++) {
        const a = x >= channels ? px[y * stride + x - channels] : 0;
        const b = y > 0 ? px[(y - 1) * stride + x] : 0;
        const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
        const v = src[x];
        px[y * stride + x] = (f === 0 ? v : f === 1 ? v + a : f === 2 ? v + b : f === 3 ? v + ((a + b) >> 1) : v + paeth(a, b, c)) & 255;
      }
    }
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < 3; c++) data[i * 4 + c] = px[i * channels + (channels === 1 ? 0 : c)];
      data[i * 4 + 3] = channels === 4 ? px[i * channels + 3] : 255;
    }
    return { width, height, data };
  },
};
