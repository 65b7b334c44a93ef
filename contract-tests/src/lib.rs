//! Placeholder: drift validation and the mock server land here.
