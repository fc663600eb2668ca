#![allow(dead_code)]
//! A private PulseAudio server with a virtual microphone, for tests that record
//! real audio: a null sink is the speaker, its monitor remapped as the default
//! source is the microphone, so whatever is played into the sink is "heard".
//! Shared by the engine's capture tests and the desktop app's window tests.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running private audio server; killed and cleaned up on drop.
pub struct VirtualMic {
    /// HOME and XDG_RUNTIME_DIR of the server and of every client of it.
    pub dir: tempfile::TempDir,
    keep_alive: Option<Child>,
}

impl VirtualMic {
    /// Starts a server in a fresh folder.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        let mut mic = Self {
            dir,
            keep_alive: None,
        };
        mic.launch();
        mic
    }

    /// Starts the server again in the same folder, after `kill_server`, so
    /// clients started with `env()` find it where it was.
    pub fn restart(&mut self) {
        self.stop_keep_alive();
        self.launch();
    }

    fn launch(&mut self) {
        let env = self.env();
        let status = Command::new("pulseaudio")
            .envs(env.iter().cloned())
            // Shared memory makes clients hang in `Stream::drop` when the
            // server dies; the tests kill it on purpose.
            .args([
                "-n",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "--disable-shm=yes",
                "-L",
                "module-native-protocol-unix",
                "-L",
                "module-null-sink sink_name=vspk",
                "-L",
                "module-remap-source master=vspk.monitor source_name=vmic",
            ])
            .stderr(Stdio::null())
            .status()
            .expect("pulseaudio is installed (apt install pulseaudio pulseaudio-utils)");
        assert!(status.success(), "pulseaudio did not start");
        for args in [["set-default-sink", "vspk"], ["set-default-source", "vmic"]] {
            let ok = Command::new("pactl")
                .envs(env.iter().cloned())
                .args(args)
                .status()
                .unwrap();
            assert!(ok.success());
        }
        // An idle null sink buffers seconds of audio; a silent stream keeps it live.
        self.keep_alive = Some(
            Command::new("pacat")
                .envs(env.iter().cloned())
                .args([
                    "--playback",
                    "-d",
                    "vspk",
                    "--format=s16le",
                    "--rate=16000",
                    "--channels=1",
                ])
                .stdin(std::fs::File::open("/dev/zero").unwrap())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }

    /// The environment that points a client at a server living in `home`.
    pub fn env_for(home: &Path) -> Vec<(String, String)> {
        vec![
            ("HOME".into(), home.display().to_string()),
            (
                "XDG_RUNTIME_DIR".into(),
                home.join("run").display().to_string(),
            ),
        ]
    }

    /// The environment that points a client at this server.
    pub fn env(&self) -> Vec<(String, String)> {
        Self::env_for(self.dir.path())
    }

    /// Plays a sound file into the microphone; wait on the child to know
    /// when it has been heard.
    pub fn play(&self, wav: &Path) -> Child {
        Command::new("paplay")
            .envs(self.env())
            .args(["-d", "vspk"])
            .arg(wav)
            .spawn()
            .unwrap()
    }

    /// Kills the server, as a crash of the system's audio server would.
    pub fn kill_server(&self) {
        let _ = Command::new("pulseaudio")
            .envs(self.env())
            .arg("--kill")
            .status();
    }

    fn stop_keep_alive(&mut self) {
        if let Some(mut child) = self.keep_alive.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for VirtualMic {
    fn drop(&mut self) {
        self.stop_keep_alive();
        self.kill_server();
    }
}
