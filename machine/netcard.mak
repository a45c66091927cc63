# configs/devices/arm-softmmu/netcard.mak: a QEMU with only the netcard
# board (configure --without-default-devices --with-devices-arm=netcard).
CONFIG_NETCARD=y
