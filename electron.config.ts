// electron-builder configuration for the Linux kiosk (`npx electron-builder --config electron.config.ts`, on a
// machine that can download Electron). It packages the built JavaScript (`npm run build`) with the udev rules
// that give the kiosk user its fingerprint sensor, camera and badge reader; the deb installs them.
// The main entry is main/electron/main.ts (built to dist/main/electron/main.js, its preload to preload.cjs); the
// renderer ships as the bundle the build made (dist/renderer/), and devDependencies (esbuild, tsx, TypeScript)
// are left out. Not an asar archive: the face worker thread reads its model files and the native addons load
// by path, which has not been tried from inside an archive.

interface KioskPackaging {
  readonly appId: string;
  readonly productName: string;
  readonly directories: { readonly output: string };
  readonly extraMetadata: { readonly main: string };
  readonly asar: boolean;
  readonly files: readonly string[];
  readonly extraResources: readonly { readonly from: string; readonly to: string }[];
  readonly linux: { readonly target: readonly string[]; readonly category: string; readonly executableName: string };
  readonly deb: { readonly depends: readonly string[]; readonly afterInstall: string };
}

const config: KioskPackaging = {
  appId: 'org.muster.kiosk',
  productName: 'Muster Kiosk',
  directories: { output: 'dist/electron' },
  extraMetadata: { main: 'dist/main/electron/main.js' },
  asar: false,
  files: ['dist/**/*.js', 'dist/**/*.cjs', 'dist/**/*.css', 'package.json', 'node_modules/**'],
  extraResources: [{ from: 'hardware/udev/99-muster.rules', to: 'udev/99-muster.rules' }],
  linux: { target: ['deb', 'AppImage'], category: 'Office', executableName: 'muster-kiosk' },
  // libusb for node-hid's exclusive backend, udev for SerialPort.list(), fonts for the screens' icons and Chinese
  // text; the script copies the rules into /etc/udev/rules.d and reloads udev.
  deb: {
    depends: ['libusb-1.0-0', 'udev', 'fonts-noto-color-emoji', 'fonts-wqy-zenhei'],
    afterInstall: 'hardware/udev/after-install.sh',
  },
};

export default config;
