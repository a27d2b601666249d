//! ochami-boot: placeholder until its issue lands.
