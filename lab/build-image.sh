#!/usr/bin/env bash
# Builds the lab's one guest image from Debian packages alone:
#   $OUT/rootfs/        debootstrap'd Debian 12 (systemd, sshd, python3, nginx+lua, keepalived, ipvsadm, containerd,
#                       the cloud kernel and its modules), used as the ingress nodes' container root
#   $OUT/vmlinuz, $OUT/initrd.img   the cloud kernel and its initramfs, booted by QEMU for the directors
#   $OUT/director.img   an ext4 image of the same rootfs, the directors' backing disk
#   $OUT/id_ed25519     the lab's SSH key (root on every guest)
# Usage: build-image.sh OUT_DIR   (OUT_DIR must not exist yet; the caller renames it into place)
set -euo pipefail

out=${1:?usage: build-image.sh OUT_DIR}
mirror=${LVSLAB_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
here=$(cd "$(dirname "$0")" && pwd)

packages=(
  systemd-sysv dbus openssh-server python3 python3-apt iproute2 procps kmod curl
  iputils-ping netcat-openbsd socat less util-linux
  nginx libnginx-mod-http-lua keepalived ipvsadm containerd
  linux-image-cloud-amd64 initramfs-tools
)

mkdir -p "$out"
root="$out/rootfs"
debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" "$suite" "$root" "$mirror"

# Services: the collection's roles decide what runs; the image starts only sshd and the lab's own
# network unit.
chroot "$root" systemctl disable nginx keepalived containerd >/dev/null 2>&1 || true
rm -f "$root/etc/nginx/sites-enabled/default"
chroot "$root" systemctl mask systemd-resolved.service systemd-timesyncd.service \
  apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer >/dev/null 2>&1 || true
# No Debian mirror inside the lab. Its package repository is local, as an air-gapped site's is: nginx at the
# versions a rolling upgrade moves between (LVSLAB_NGINX_VERSIONS, set by lvslab), fetched here from Debian's
# archive (bookworm, bookworm-security) with their indexes written beside them; apt on the guests knows no
# other source. The other packages are in the image already (the roles install them with state=present).
security=${LVSLAB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
repo="$root/srv/lvslab-repo"
mkdir -p "$repo"
for version in ${LVSLAB_NGINX_VERSIONS:?set by lvslab}; do
  for deb in "nginx_${version}_amd64.deb" "nginx-common_${version}_all.deb"; do
    curl -fsS -o "$repo/$deb" "$mirror/pool/main/n/nginx/$deb" ||
      curl -fsS -o "$repo/$deb" "$security/pool/updates/main/n/nginx/$deb"
  done
done
(
  cd "$repo"
  for deb in *.deb; do
    dpkg-deb --field "$deb"
    printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$deb" "$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)"
  done > Packages
)
echo "deb [trusted=yes] file:/srv/lvslab-repo ./" > "$root/etc/apt/sources.list"
chroot "$root" apt-get -q update

# SSH: key login for root only.
ssh-keygen -q -t ed25519 -N '' -C lvslab -f "$out/id_ed25519"
install -d -m 0700 "$root/root/.ssh"
install -m 0600 "$out/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
cat > "$root/etc/ssh/sshd_config.d/lvslab.conf" <<'EOF'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
EOF

# Identity and address come from the kernel command line (directors) or from the
# container's network namespace, set up by lvslab (nodes).
install -m 0755 "$here/guest/lvslab-net" "$root/usr/local/sbin/lvslab-net"
install -m 0644 "$here/guest/lvslab-net.service" "$root/etc/systemd/system/lvslab-net.service"
chroot "$root" systemctl enable lvslab-net.service >/dev/null
# Python on the emulated directors keeps what it compiles from Ansible's module zips (lab/guest/lvslab_zipcache.py).
install -m 0644 "$here/guest/lvslab_zipcache.py" "$root/usr/lib/python3/dist-packages/lvslab_zipcache.py"
echo "import lvslab_zipcache" > "$root/usr/lib/python3/dist-packages/lvslab_zipcache.pth"
echo "/dev/vda / ext4 defaults,noatime 0 1" > "$root/etc/fstab"
echo lvslab > "$root/etc/hostname"
# No getty is enabled by hand: on the directors the kernel's console=ttyS0 makes systemd's getty generator
# start one; in the node containers an enabled serial-getty@ttyS0 would wait 90 s for a device that never comes.

cp "$root"/boot/vmlinuz-* "$out/vmlinuz"
cp "$root"/boot/initrd.img-* "$out/initrd.img"
chroot "$root" apt-get clean
# 2 GiB sparse ext4 filesystem holding the same tree: the directors' backing disk.
mkfs.ext4 -q -F -L lvslab -d "$root" "$out/director.img" 2G
