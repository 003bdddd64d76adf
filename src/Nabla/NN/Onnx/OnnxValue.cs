namespace Nabla.NN.Onnx;

/// <summary>A value of the ONNX graph being built (its name) and the shape of one example of it, without the batch
/// axis: what a layer's emission takes and gives.</summary>
internal readonly record struct OnnxValue(string Name, int[] Shape);
