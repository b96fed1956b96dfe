# Sourced by bench/gpu-check.sh and bench/gpu-peer.sh: gpu_bf16_peak NAME prints the GPU's bf16 dense tensor-core
# peak in TFLOP/s (vendor data sheets, without sparsity), or 0 when the name is not known (then set PEAK_TFLOPS).
gpu_bf16_peak() {
  case "$1" in
    *H200*|*H100*SXM*|*"H100 80GB HBM3"*) echo 989 ;;
    *H100*PCIe*|*"H100 PCIe"*) echo 756 ;;
    *H100*NVL*) echo 835 ;;
    *B200*) echo 2250 ;;
    *A100*) echo 312 ;;
    *L40S*) echo 362 ;;
    *L4*) echo 121 ;;
    *A10G*|*A10*) echo 125 ;;
    *"RTX 4090"*) echo 165 ;;
    *) echo 0 ;;
  esac
}
