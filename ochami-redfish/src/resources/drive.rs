//! `Storage`, `Drive` and `SimpleStorage`: a system's disks.

use ochami_core::ingest::DriveDetail;
use ochami_core::{BasicLocationInfo, DriveFruInfo};
use serde::Serialize;
use serde_json::Value;

use super::lenient::{self, tolerant_deserialize};

/// `GET .../Storage/<id>`: a storage subsystem and the links to its drives.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Storage {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Drives`, in the order given.
    pub drives: Vec<String>,
}

impl Storage {
    /// Reads a Storage resource tolerantly.
    pub fn from_value(v: &Value) -> Self {
        Storage {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            drives: lenient::link_list(v, "Drives"),
        }
    }
}

tolerant_deserialize!(Storage);

/// `GET .../Drives/<id>` (also an entry of `SimpleStorage.Devices`, which carries a subset
/// of the same properties and no `@odata.id`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Drive {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `Model`.
    pub model: Option<String>,
    /// `SerialNumber`.
    pub serial_number: Option<String>,
    /// `PartNumber`.
    pub part_number: Option<String>,
    /// `SKU`.
    pub sku: Option<String>,
    /// `CapacityBytes`.
    pub capacity_bytes: Option<u64>,
    /// `Protocol` (`SATA`, `NVMe`, ...).
    pub protocol: Option<String>,
    /// `MediaType` (`HDD`, `SSD`).
    pub media_type: Option<String>,
    /// `RotationSpeedRPM`.
    pub rotation_speed_rpm: Option<f64>,
    /// `BlockSizeBytes`.
    pub block_size_bytes: Option<u64>,
    /// `CapableSpeedGbs`.
    pub capable_speed_gbs: Option<f64>,
    /// `NegotiatedSpeedGbs`.
    pub negotiated_speed_gbs: Option<f64>,
    /// `FailurePredicted`.
    pub failure_predicted: Option<bool>,
    /// `EncryptionAbility`.
    pub encryption_ability: Option<String>,
    /// `EncryptionStatus`.
    pub encryption_status: Option<String>,
    /// `PredictedMediaLifeLeftPercent`.
    pub predicted_media_life_left_percent: Option<f64>,
    /// `Status.State` (`Enabled`, `Absent`, ...).
    pub state: Option<String>,
}

impl Drive {
    /// Reads a Drive (or a SimpleStorage device) tolerantly.
    pub fn from_value(v: &Value) -> Self {
        Drive {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            manufacturer: lenient::text(v, "Manufacturer"),
            model: lenient::text(v, "Model"),
            serial_number: lenient::text(v, "SerialNumber"),
            part_number: lenient::text(v, "PartNumber"),
            sku: lenient::text(v, "SKU"),
            capacity_bytes: lenient::uint(v, "CapacityBytes"),
            protocol: lenient::text(v, "Protocol"),
            media_type: lenient::text(v, "MediaType"),
            rotation_speed_rpm: lenient::float(v, "RotationSpeedRPM"),
            block_size_bytes: lenient::uint(v, "BlockSizeBytes"),
            capable_speed_gbs: lenient::float(v, "CapableSpeedGbs"),
            negotiated_speed_gbs: lenient::float(v, "NegotiatedSpeedGbs"),
            failure_predicted: lenient::boolean(v, "FailurePredicted"),
            encryption_ability: lenient::text(v, "EncryptionAbility"),
            encryption_status: lenient::text(v, "EncryptionStatus"),
            predicted_media_life_left_percent: lenient::float(v, "PredictedMediaLifeLeftPercent"),
            state: lenient::status_state(v),
        }
    }

    /// The devices of a `SimpleStorage` resource (`Devices[]`).
    pub fn simple_storage_devices(v: &Value) -> Vec<Drive> {
        match v.get("Devices") {
            Some(Value::Array(items)) => items
                .iter()
                .filter(|d| d.is_object())
                .map(Drive::from_value)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The bay as discovery reports it.
    pub fn to_detail(&self, base: &str) -> DriveDetail {
        let t = |o: &Option<String>| o.clone().unwrap_or_default();
        DriveDetail {
            uri: super::full_uri(base, self.odata_id.as_deref()),
            state: t(&self.state),
            location: BasicLocationInfo {
                id: t(&self.id),
                name: t(&self.name),
                description: t(&self.description),
            },
            fru: DriveFruInfo {
                manufacturer: t(&self.manufacturer),
                serial_number: t(&self.serial_number),
                part_number: t(&self.part_number),
                model: t(&self.model),
                sku: t(&self.sku),
                capacity_bytes: self.capacity_bytes,
                protocol: t(&self.protocol),
                media_type: t(&self.media_type),
                rotation_speed_rpm: self.rotation_speed_rpm,
                block_size_bytes: self.block_size_bytes,
                capable_speed_gbs: self.capable_speed_gbs,
                failure_predicted: self.failure_predicted,
                encryption_ability: t(&self.encryption_ability),
                encryption_status: t(&self.encryption_status),
                negotiated_speed_gbs: self.negotiated_speed_gbs,
                predicted_media_life_left_percent: self.predicted_media_life_left_percent,
            },
        }
    }
}

tolerant_deserialize!(Drive);
