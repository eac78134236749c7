{
  # Sluice packet I/O addon: plain C against Node-API 8 (no C++ wrapper, no node-addon-api),
  # Linux only (TUN/TAP, AF_PACKET rings). Built with `node-gyp rebuild` in this folder.
  "targets": [
    {
      "target_name": "sluice_io",
      "sources": [
        "src/addon.c",
        "src/handle.c",
        "src/errors.c",
        "src/args.c",
        "src/tap.c",
        "src/afpacket.c",
        "src/rx.c",
        "src/tx.c",
        "src/tunnel.c",
        "src/tunnel_tx.c",
        "src/offload.c",
        "src/gro.c",
        "src/csum.c",
        "src/poll.c",
        "src/link.c",
        "src/info.c"
      ],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_c": ["-std=gnu11"]
    }
  ]
}
