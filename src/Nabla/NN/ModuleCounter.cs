namespace Nabla.NN;

/// <summary>A count a module keeps that is state but not a weight: the position of a counter-based random stream (how
/// many values Dropout has drawn). Registered with <c>Module.RegisterCounter</c>, it is saved in checkpoints and put back
/// on resume like any other state, but stays out of the state dict, safetensors and ONNX, which hold weights.</summary>
public sealed class ModuleCounter
{
    /// <summary>The count.</summary>
    public long Value { get; set; }
}
