namespace Nabla.Serialization.Onnx;

/// <summary>What <see cref="OnnxExporter.Export(NN.Module, IReadOnlyList{int}, string, OnnxExportOptions?)"/> wrote.</summary>
/// <param name="InputShape">The shape of one example at the graph input; the input is (batch, …InputShape).</param>
/// <param name="OutputShape">The shape of one example's output; the output is (batch, …OutputShape).</param>
/// <param name="Nodes">The number of operator nodes in the graph.</param>
/// <param name="Initializers">The number of constant tensors (weights, buffers, shapes).</param>
public sealed record OnnxExportSummary(IReadOnlyList<int> InputShape, IReadOnlyList<int> OutputShape, int Nodes, int Initializers);
