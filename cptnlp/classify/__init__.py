"""scikit-learn side: features, the evidence model, training and persistence."""
